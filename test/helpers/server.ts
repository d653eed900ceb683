import { createApp } from '../../engine/server/app.js';
import { createServerContext, type ServerContext, type ServerOptions } from '../../engine/server/context.js';
import type { Role } from '../../engine/server/auth/roles.js';
import { fixtureProject } from './cli.js';

/** A fixed "now" the serve fixture's data has a previous month for. */
export const SERVE_NOW = new Date('2025-04-15T10:00:00Z');

export interface TestServer {
  root: string;
  ctx: ServerContext;
  app: ReturnType<typeof createApp>;
  /** A token's secret per role (when made with `tokens: true`). */
  tokens: Partial<Record<Role, string>>;
  req(path: string, init?: { method?: string; json?: unknown; form?: Record<string, string>; token?: string; cookie?: string; headers?: Record<string, string> }): Promise<Response>;
  close(): Promise<void>;
}

/** The app over a fresh copy of test/fixtures/<fixture>, answered in process (app.request: no port). */
export function testServer(opts: ServerOptions & { fixture?: string; tokens?: boolean } = {}): TestServer {
  const root = fixtureProject(opts.fixture ?? 'serve');
  const tokens: TestServer['tokens'] = {};
  const ctx = createServerContext(root, { clock: () => SERVE_NOW, localUser: 'tester', ...opts });
  if (opts.tokens) for (const role of ['viewer', 'runner', 'admin'] as const) tokens[role] = ctx.auth.tokens.create(role, `${role}-user`, SERVE_NOW).secret;
  const app = createApp(ctx);
  return {
    root,
    ctx,
    app,
    tokens,
    req(path, init = {}) {
      const headers: Record<string, string> = { ...init.headers };
      let body: string | undefined;
      if (init.json !== undefined) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(init.json);
      } else if (init.form) {
        headers['content-type'] = 'application/x-www-form-urlencoded';
        body = new URLSearchParams(init.form).toString();
      }
      if (init.token) headers.authorization = `Bearer ${init.token}`;
      if (init.cookie) headers.cookie = init.cookie;
      return Promise.resolve(app.request(path, { method: init.method ?? (body ? 'POST' : 'GET'), headers, body }));
    },
    close: () => ctx.close(),
  };
}

/** `name=value` of a response's Set-Cookie, to send back. */
export function cookieOf(res: Response): string {
  const set = res.headers.get('set-cookie') ?? '';
  return set.split(';')[0];
}
