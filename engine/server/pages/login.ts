/** The login page: a token is exchanged for an HttpOnly, SameSite=Strict session cookie; logout ends it. */
import { Hono } from 'hono';
import { html } from 'hono/html';
import { deleteCookie } from 'hono/cookie';
import type { AppEnv, ServerContext } from '../context.js';
import { localMode, sessionCookie } from '../auth/middleware.js';
import { SESSION_COOKIE } from '../auth/session.js';
import { csrfField, layout, sendPage } from './layout.js';

/** Only a local path may follow a login (no open redirect). */
const safeNext = (next: unknown) => (typeof next === 'string' && /^\/(?!\/)[\w\-./?=&%]*$/.test(next) ? next : '/notebooks');

export function loginPages(ctx: ServerContext): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const page = (c: Parameters<typeof layout>[0], next: string, error?: string) =>
    layout(c, {
      title: 'Log in',
      active: 'login',
      body: html`<div class="login card">
  <h1>Log in</h1>
  ${localMode(ctx) ? html`<p class="banner banner-ok">No tokens are configured: on this machine you are the local admin already.</p>` : ''}
  <p class="muted">Paste an access token (made with <code>quire tokens create --role viewer|runner|admin</code>).</p>
  <form method="post" action="/login" class="params">
    <input type="hidden" name="next" value="${next}">
    <div class="field${error ? ' invalid' : ''}"><label for="token">Token</label>
      <input id="token" name="token" type="password" class="token" autocomplete="off" autocapitalize="off" spellcheck="false" required>
      ${error ? html`<span class="error">${error}</span>` : ''}
      <label class="check"><input type="checkbox" data-show-token> Show the token</label></div>
    <div><button type="submit">Log in</button></div>
  </form>
</div>`,
    });
  app.get('/login', (c) => sendPage(c, page(c, safeNext(c.req.query('next')))));
  app.post('/login', async (c) => {
    const body = await c.req.parseBody();
    const next = safeNext(body.next);
    const token = typeof body.token === 'string' ? ctx.auth.tokens.verify(body.token.trim()) : null;
    if (!token) return sendPage(c, page(c, next, 'That token is not valid (unknown, revoked or mistyped).'), 401);
    sessionCookie(c, ctx.auth.sessions.issue(token.id, ctx.clock().getTime()), new URL(c.req.url).protocol === 'https:');
    ctx.audit.record({ name: token.name, role: token.role, via: 'cookie' }, 'login', token.id);
    return c.redirect(next, 303);
  });
  app.post('/logout', (c) => {
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.redirect('/login', 303);
  });
  void csrfField;
  return app;
}
