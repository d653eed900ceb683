/**
 * Login sessions as signed cookies: `<token id>.<nonce>.<expiry>.<hmac>`, signed with a secret the
 * server makes at start (a restart logs everyone out). The token is looked up on every request,
 * so a revoked token's sessions end at once. The CSRF token of a session is an HMAC of its nonce.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'quire_session';
const SESSION_MS = 12 * 3600_000;

export interface Session {
  tokenId: string;
  nonce: string;
  expires: number;
}

export class SessionSigner {
  private readonly key: Buffer;

  constructor(key: Buffer = randomBytes(32)) {
    this.key = key;
  }

  private mac(text: string): string {
    return createHmac('sha256', this.key).update(text).digest('base64url');
  }

  /** A new session for a token (`local` for the local user), as a cookie value. */
  issue(tokenId: string, now: number): string {
    const body = `${tokenId}.${randomBytes(12).toString('base64url')}.${now + SESSION_MS}`;
    return `${body}.${this.mac(body)}`;
  }

  /** The session a cookie value holds, or null when forged or expired. */
  read(cookie: string | undefined, now: number): Session | null {
    if (!cookie) return null;
    const parts = cookie.split('.');
    if (parts.length !== 4) return null;
    const [tokenId, nonce, exp, sig] = parts;
    if (!equal(sig, this.mac(`${tokenId}.${nonce}.${exp}`))) return null;
    const expires = Number(exp);
    if (!Number.isFinite(expires) || expires <= now) return null;
    return { tokenId, nonce, expires };
  }

  csrfToken(session: Session): string {
    return this.mac(`csrf:${session.nonce}`);
  }

  checkCsrf(session: Session, token: string | undefined): boolean {
    return typeof token === 'string' && equal(token, this.csrfToken(session));
  }
}

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
