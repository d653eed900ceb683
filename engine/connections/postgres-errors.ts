/**
 * What went wrong talking to a Postgres server, said so a person can act on it: each failure a
 * UserError with a stable code and a hint, by SQLSTATE or socket error. A URL's password never
 * appears in a message.
 */
import type { SourceLocation } from '../util/errors.js';
import { UserError } from '../util/errors.js';

/** The URL with its password replaced by `***`, for messages and listings. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    const q = u.searchParams;
    if (q.has('password')) q.set('password', '***');
    return u.toString();
  } catch {
    return url.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@').replace(/(password=)[^&\s]*/gi, '$1***');
  }
}

/** Every secret of the URL (password, in either place) removed from `text`. */
export function redactSecrets(text: string, url: string): string {
  const secrets: string[] = [];
  try {
    const u = new URL(url);
    if (u.password) secrets.push(u.password, decodeURIComponent(u.password));
    const p = u.searchParams.get('password');
    if (p) secrets.push(p);
  } catch {
    // not a URL: nothing to find in it
  }
  let out = text;
  for (const s of secrets.filter((x) => x.length > 0)) out = out.split(s).join('***');
  return out;
}

interface PgError {
  code?: string;
  message?: string;
  position?: string;
  hint?: string;
  detail?: string;
}

export interface PgErrorContext {
  /** The connection's name in quire.yaml. */
  connection: string;
  url: string;
  /** The cell whose query failed, when one did. */
  cellId?: string;
  /** Where a server error's position (0-based offset in the cell's SQL) lies in the notebook. */
  locate?: (offset: number | undefined) => SourceLocation | undefined;
  /** Whether the run asked to stop (a cancel is then an interruption, not the server's timeout). */
  cancelled?: boolean;
}

const BY_SQLSTATE: Record<string, [string, string]> = {
  '28P01': ['E_PG_AUTH', 'the user name or password in the url is wrong: check the environment variable that holds it'],
  '28000': ['E_PG_AUTH', 'the server refuses this user from this host (pg_hba.conf): ask its administrator, or use another user'],
  '3D000': ['E_PG_DATABASE', 'the database named in the url does not exist on that server: check the url (psql -l lists them)'],
  '42P01': ['E_PG_TABLE', "check the table name and its schema; a Postgres cell reads the server's tables, not other cells'"],
  '42703': ['E_PG_COLUMN', 'check the column names of this query against the table'],
  '42601': ['E_SQL_SYNTAX', "fix the SQL; `quire validate` checks it with PostgreSQL's parser without running"],
  '42501': ['E_PG_PERMISSION', "the connection's user lacks a privilege: ask for GRANT SELECT on it, or use another user"],
  '25006': ['E_SQL_WRITE', 'the session is read-only: set `mode: write` on the cell if it must change the database'],
  '53300': ['E_PG_BUSY', 'the server has no free connection slots: try again later, or lower concurrent runs'],
  '57P03': ['E_PG_UNREACHABLE', 'the server is starting up or shutting down: try again shortly'],
};

/** A failure of the server, the network or the query, as a located UserError. */
export function pgError(err: unknown, ctx: PgErrorContext): UserError {
  if (err instanceof UserError) return err;
  const e = (err ?? {}) as PgError & { errno?: number; syscall?: string };
  const where = ctx.cellId ? `cell ${ctx.cellId} on connection '${ctx.connection}'` : `connection '${ctx.connection}'`;
  const server = redactUrl(ctx.url)
    .replace(/^[a-z]+:\/\/([^@]*@)?/i, '')
    .replace(/[/?].*$/, '');
  const text = redactSecrets(String(e.message ?? err), ctx.url).split('\n')[0];
  const position = e.position === undefined ? undefined : Number(e.position) - 1;
  const location = ctx.locate?.(position);
  const make = (code: string, message: string, hint: string) => new UserError(code, message, { hint, location });
  if (e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' || e.code === 'EHOSTUNREACH' || e.code === 'ETIMEDOUT' || e.code === 'ECONNRESET' || /timeout expired|Connection terminated/i.test(text)) {
    return make(
      'E_PG_UNREACHABLE',
      `${where}: cannot reach the server at ${server} (${e.code ?? text})`,
      'check that the server runs and the host and port in the url are right (`quire connections test <name>`)',
    );
  }
  if (e.code === '57014') {
    if (!ctx.cancelled && /statement timeout/i.test(text))
      return make('E_SQL_TIMEOUT', `${where}: the query ran past its statement_timeout`, 'make the query cheaper, or raise `timeout_ms` of the cell (or `sql_timeout_ms` in quire.yaml)');
    return make('E_SQL_CANCELLED', `${where}: the query was interrupted (cancelled on the server)`, 'the run was stopped; run it again');
  }
  const known = e.code ? BY_SQLSTATE[e.code] : undefined;
  if (known) return make(known[0], `${where}: ${text}`, e.hint ? `${e.hint}; ${known[1]}` : known[1]);
  return make('E_PG_QUERY', `${where}: ${text}${e.code ? ` (SQLSTATE ${e.code})` : ''}`, e.hint ?? 'fix the SQL of this cell; `quire validate` checks its syntax without running');
}
