/**
 * What went wrong talking to a MySQL/MariaDB server, said so a person can act on it: each
 * failure a UserError with a stable code and a hint, by the server's error number or the socket
 * error. A URL's password never appears in a message.
 */
import type { SourceLocation } from '../util/errors.js';
import { UserError } from '../util/errors.js';
import { redactSecrets, redactUrl } from './postgres-errors.js';

interface MysqlError {
  code?: string;
  errno?: number;
  message?: string;
  sqlMessage?: string;
  fatal?: boolean;
}

export interface MysqlErrorContext {
  /** The connection's name in quire.yaml. */
  connection: string;
  url: string;
  /** The cell whose query failed, when one did. */
  cellId?: string;
  /** Where an error at a 0-based offset of the SQL that ran lies in the notebook. */
  locate?: (offset: number | undefined) => SourceLocation | undefined;
  /** The SQL that ran (to place a syntax error's "near '...' at line n"). */
  sql?: string;
  /** Whether the run asked to stop (a killed query is then an interruption). */
  cancelled?: boolean;
}

const BY_ERRNO: Record<number, [string, string]> = {
  1045: ['E_MYSQL_AUTH', 'the user name or password in the url is wrong: check the environment variable that holds it'],
  1130: ['E_MYSQL_AUTH', 'the server refuses this user from this host: ask its administrator for a grant to this host, or use another user'],
  1044: ['E_MYSQL_PERMISSION', 'the user may not use this database: ask for GRANT SELECT on it, or check the database name in the url'],
  1049: ['E_MYSQL_DATABASE', 'the database named in the url does not exist on that server: check the url (SHOW DATABASES lists them)'],
  1046: ['E_MYSQL_DATABASE', 'no database is selected: name one in the url (mysql://user@host:3306/database) or qualify the tables'],
  1146: ['E_MYSQL_TABLE', "check the table name and its database; a MySQL cell reads the server's tables, not other cells'"],
  1054: ['E_MYSQL_COLUMN', 'check the column names of this query against the table'],
  1064: ['E_SQL_SYNTAX', 'fix the SQL; `quire validate` checks it with a MySQL grammar without running'],
  1142: ['E_MYSQL_PERMISSION', "the connection's user lacks a privilege: ask for GRANT SELECT on the table, or use another user"],
  1143: ['E_MYSQL_PERMISSION', "the connection's user lacks a privilege on a column: ask for a GRANT, or use another user"],
  1227: ['E_MYSQL_PERMISSION', "the connection's user lacks a privilege (SUPER, PROCESS...): ask its administrator"],
  1792: ['E_SQL_WRITE', 'the session is read-only: set `mode: write` on the cell if it must change the database'],
  1040: ['E_MYSQL_BUSY', 'the server has no free connection slots: try again later, or lower concurrent runs'],
  1203: ['E_MYSQL_BUSY', 'the user has used up its connections (max_user_connections): try again later'],
};

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT', 'ECONNRESET', 'EAI_AGAIN', 'PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT']);
/** ER_STATEMENT_TIMEOUT (MariaDB's max_statement_time), ER_QUERY_TIMEOUT (MySQL's MAX_EXECUTION_TIME). */
const TIMEOUT = new Set([1969, 3024]);
/** ER_QUERY_INTERRUPTED: KILL QUERY (or a statement timeout). */
const INTERRUPTED = 1317;

/** A syntax error's "near '...' at line n" as an offset of `sql`. */
function syntaxOffset(message: string, sql: string | undefined): number | undefined {
  const m = /near '([\s\S]*)' at line (\d+)/.exec(message);
  if (!m || sql === undefined) return undefined;
  const lines = sql.split('\n');
  const line = Number(m[2]) - 1;
  if (line >= lines.length) return undefined;
  const lineStart = lines.slice(0, line).reduce((n, l) => n + l.length + 1, 0);
  const at = m[1] === '' ? -1 : sql.indexOf(m[1].slice(0, 40), lineStart);
  return at < 0 ? lineStart : at;
}

/** A failure of the server, the network or the query, as a located UserError. */
export function mysqlError(err: unknown, ctx: MysqlErrorContext): UserError {
  if (err instanceof UserError) return err;
  const e = (err ?? {}) as MysqlError;
  const where = ctx.cellId ? `cell ${ctx.cellId} on connection '${ctx.connection}'` : `connection '${ctx.connection}'`;
  const server = redactUrl(ctx.url)
    .replace(/^[a-z]+:\/\/([^@]*@)?/i, '')
    .replace(/[/?].*$/, '');
  const full = redactSecrets(String(e.sqlMessage ?? e.message ?? err), ctx.url);
  const text = full.split('\n')[0];
  const make = (code: string, message: string, hint: string, offset?: number) => new UserError(code, message, { hint, location: ctx.locate?.(offset) });
  // A cancel kills the session: the lost connection is the interruption.
  if (ctx.cancelled && (e.errno === undefined || e.errno === INTERRUPTED || e.errno === 1927))
    return make('E_SQL_CANCELLED', `${where}: the query was interrupted (killed on the server)`, 'the run was stopped; run it again');
  if ((e.code && UNREACHABLE.has(e.code)) || /connect ETIMEDOUT|Connection lost/i.test(text)) {
    return make(
      'E_MYSQL_UNREACHABLE',
      `${where}: cannot reach the server at ${server} (${e.code ?? text})`,
      'check that the server runs and the host and port in the url are right (`quire connections test <name>`)',
    );
  }
  if (e.errno !== undefined && TIMEOUT.has(e.errno) && !ctx.cancelled)
    return make('E_SQL_TIMEOUT', `${where}: the query ran past its time limit`, 'make the query cheaper, or raise `timeout_ms` of the cell (or `sql_timeout_ms` in quire.yaml)');
  if (e.errno === INTERRUPTED || (e.errno !== undefined && TIMEOUT.has(e.errno)) || (ctx.cancelled && e.errno === undefined))
    return make('E_SQL_CANCELLED', `${where}: the query was interrupted (killed on the server)`, 'the run was stopped; run it again');
  const known = e.errno === undefined ? undefined : BY_ERRNO[e.errno];
  const offset = e.errno === 1064 ? syntaxOffset(full, ctx.sql) : undefined;
  if (known) return make(known[0], `${where}: ${text}`, known[1], offset);
  return make('E_MYSQL_QUERY', `${where}: ${text}${e.errno ? ` (error ${e.errno})` : ''}`, 'fix the SQL of this cell; `quire validate` checks its syntax without running');
}
