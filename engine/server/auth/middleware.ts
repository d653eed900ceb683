/**
 * Who a request is: a Bearer token, a login cookie, or — on a loopback host with no tokens
 * configured — the local user, an admin. `requireRole` guards a route; CSRF checks every
 * state-changing request a browser could send cross-site (cookie or form), Bearer ones exempt.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import type { AppEnv, ServerContext } from '../context.js';
import { HttpProblem, problemOf, problemResponse } from '../problem.js';
import { roleAtLeast, type Role, type User } from './roles.js';
import { SESSION_COOKIE, type Session } from './session.js';

/** Paths anyone may fetch: the login page, static assets, the API description. */
const PUBLIC = [/^\/login$/, /^\/logout$/, /^\/assets\//, /^\/api\/v1\/openapi\.json$/];

export const isApi = (path: string) => path.startsWith('/api/');

/** Whether the local user (admin, no login) applies: loopback host and no token configured. */
export function localMode(ctx: ServerContext): boolean {
  return ctx.auth.loopback && ctx.auth.tokens.count === 0;
}

export function sessionCookie(c: Context, value: string, secure: boolean): void {
  setCookie(c, SESSION_COOKIE, value, { httpOnly: true, sameSite: 'Strict', path: '/', secure, maxAge: 12 * 3600 });
}

export function authenticate(ctx: ServerContext): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const now = ctx.clock().getTime();
    const local = localMode(ctx);
    c.set('session', null);
    c.set('csrf', '');
    const header = c.req.header('authorization');
    if (header) {
      const m = /^Bearer\s+(\S+)$/i.exec(header);
      const token = m ? ctx.auth.tokens.verify(m[1]) : null;
      if (!token)
        return problemResponse(c, problemOf(new HttpProblem(401, 'E_AUTH_TOKEN', 'the Bearer token is not valid (unknown, revoked or malformed)', 'create a token with `quire tokens create`')));
      c.set('user', { name: token.name, role: token.role, via: 'bearer' });
      return next();
    }
    const session = ctx.auth.sessions.read(getCookie(c, SESSION_COOKIE), now);
    if (session) {
      const user = userOfSession(ctx, session, local);
      if (user) {
        c.set('session', session);
        c.set('csrf', ctx.auth.sessions.csrfToken(session));
        c.set('user', user);
        return next();
      }
    }
    if (local) {
      c.set('user', { name: ctx.auth.localUser, role: 'admin', via: 'local' });
      // Pages give the local user a session cookie: their state-changing forms carry its CSRF token.
      // (API scripts send JSON, which needs no cookie; see csrfProtection.)
      if (!isApi(c.req.path)) {
        const value = ctx.auth.sessions.issue('local', now);
        sessionCookie(c, value, false);
        const fresh = ctx.auth.sessions.read(value, now)!;
        c.set('session', fresh);
        c.set('csrf', ctx.auth.sessions.csrfToken(fresh));
      }
      return next();
    }
    if (PUBLIC.some((p) => p.test(c.req.path))) return next();
    if (!isApi(c.req.path) && c.req.method === 'GET') return c.redirect(`/login?next=${encodeURIComponent(c.req.path)}`, 303);
    return problemResponse(
      c,
      problemOf(
        new HttpProblem(401, 'E_AUTH_REQUIRED', 'sign in first: send `Authorization: Bearer <token>` or log in at /login', 'tokens are made with `quire tokens create --role viewer|runner|admin`'),
      ),
    );
  };
}

function userOfSession(ctx: ServerContext, s: Session, local: boolean): User | null {
  if (s.tokenId === 'local') return local ? { name: ctx.auth.localUser, role: 'admin', via: 'local' } : null;
  const token = ctx.auth.tokens.byId(s.tokenId);
  return token ? { name: token.name, role: token.role, via: 'cookie' } : null;
}

/** Lets the request through only for `min` or a stronger role. */
export function requireRole(min: Role): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const user = c.get('user');
    // Thrown, not answered: the app's error handler answers problem+json for the API, a page for pages.
    if (!user) throw new HttpProblem(401, 'E_AUTH_REQUIRED', 'sign in first');
    if (!roleAtLeast(user.role, min)) throw new HttpProblem(403, 'E_FORBIDDEN', `this needs the ${min} role; ${user.name} is a ${user.role}`, 'ask an admin for a token with that role');
    return next();
  };
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A state-changing request not sent with a Bearer token must carry the session's CSRF token
 * (form field `_csrf` or header `X-CSRF-Token`). The one exception: a JSON request with no
 * session cookie (a script on the local machine); browsers cannot send that cross-site without a
 * CORS preflight, which this server never grants.
 */
export function csrfProtection(ctx: ServerContext): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (SAFE.has(c.req.method) || c.get('user')?.via === 'bearer' || c.req.path === '/login') return next();
    const hadCookie = Boolean(getCookie(c, SESSION_COOKIE));
    const type = c.req.header('content-type') ?? '';
    if (!hadCookie && type.startsWith('application/json')) return next();
    const session = c.get('session');
    let token = c.req.header('x-csrf-token');
    if (!token && (type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data'))) {
      const body = await c.req.parseBody();
      token = typeof body._csrf === 'string' ? body._csrf : undefined;
    }
    if (!session || !ctx.auth.sessions.checkCsrf(session, token)) {
      return problemResponse(c, problemOf(new HttpProblem(403, 'E_CSRF', 'missing or wrong CSRF token', 'reload the page and send the form again')));
    }
    return next();
  };
}
