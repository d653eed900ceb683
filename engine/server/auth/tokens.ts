/**
 * API tokens of a project, `.quire/tokens.json`: each stored as the SHA-256 of its secret (a
 * token is 32 random bytes, so a slow hash adds nothing), with a name, a role and when it was made.
 * The file is written atomically; the secret is shown once, by `quire tokens create`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { writeJsonAtomic } from '../../util/atomic.js';
import { UserError } from '../../util/errors.js';
import { ROLES, type Role } from './roles.js';

const tokenRecord = z.object({
  id: z.string().regex(/^[a-f0-9]{8}$/),
  name: z.string().min(1),
  role: z.enum(ROLES),
  sha256: z.string().regex(/^[a-f0-9]{64}$/),
  created_at: z.string(),
});
const tokensFile = z.object({ version: z.literal(1), tokens: z.array(tokenRecord) });

export type TokenRecord = z.infer<typeof tokenRecord>;

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

export function tokensPath(root: string): string {
  return join(root, '.quire', 'tokens.json');
}

/** The project's tokens; re-read when the file changes (a token revoked by the CLI is refused at once). */
export class TokenStore {
  private cached: { mtimeMs: number; byHash: Map<string, TokenRecord>; list: TokenRecord[] } | null = null;

  constructor(readonly file: string) {}

  list(): TokenRecord[] {
    return this.load().list;
  }

  get count(): number {
    return this.list().length;
  }

  /** The token a secret belongs to, or null. */
  verify(secret: string): TokenRecord | null {
    if (!/^qt_[a-f0-9]{8}_[A-Za-z0-9_-]{43}$/.test(secret)) return null;
    return this.load().byHash.get(sha256(secret)) ?? null;
  }

  byId(id: string): TokenRecord | null {
    return this.load().list.find((t) => t.id === id) ?? null;
  }

  /** Makes a token; returns its secret (shown once) and its record. */
  create(role: Role, name: string | undefined, now: Date): { secret: string; record: TokenRecord } {
    const list = this.load().list;
    let id: string;
    do id = randomBytes(4).toString('hex');
    while (list.some((t) => t.id === id));
    const secret = `qt_${id}_${randomBytes(32).toString('base64url')}`;
    const record: TokenRecord = { id, name: name?.trim() || `${role}-${id}`, role, sha256: sha256(secret), created_at: now.toISOString() };
    this.save([...list, record]);
    return { secret, record };
  }

  /** Removes a token by id or name; false when there is none. */
  revoke(idOrName: string): boolean {
    const list = this.load().list;
    const kept = list.filter((t) => t.id !== idOrName && t.name !== idOrName);
    if (kept.length === list.length) return false;
    this.save(kept);
    return true;
  }

  private save(tokens: TokenRecord[]): void {
    mkdirSync(join(this.file, '..'), { recursive: true });
    writeJsonAtomic(this.file, { version: 1, tokens });
    this.cached = null;
  }

  private load(): NonNullable<TokenStore['cached']> {
    if (!existsSync(this.file)) return { mtimeMs: 0, byHash: new Map(), list: [] };
    const mtimeMs = statSync(this.file).mtimeMs;
    if (this.cached?.mtimeMs === mtimeMs) return this.cached;
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch (err) {
      throw new UserError('E_TOKENS_FILE', `${this.file} is not valid JSON: ${(err as Error).message}`, { hint: 'fix or remove the file, then create tokens again with `quire tokens create`' });
    }
    const parsed = tokensFile.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new UserError('E_TOKENS_FILE', `${this.file} is damaged (${issue.path.join('.') || 'top'}: ${issue.message})`, {
        hint: 'fix or remove the file, then create tokens again with `quire tokens create`',
      });
    }
    const list = parsed.data.tokens;
    this.cached = { mtimeMs, list, byHash: new Map(list.map((t) => [t.sha256, t])) };
    return this.cached;
  }
}
