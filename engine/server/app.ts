/**
 * The web app: security headers (a strict CSP — no inline script, every asset served from here),
 * request size limits, auth, CSRF, problem+json errors, the OpenAPI document, static assets, and
 * the slices of routes.ts (API under /api/v1, pages at /).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import { HTTPException } from 'hono/http-exception';
import { packageRoot, quireVersion } from '../util/package-root.js';
import type { AppEnv, ServerContext } from './context.js';
import { isLoopback } from './context.js';
import { authenticate, csrfProtection, isApi, localMode } from './auth/middleware.js';
import { HttpProblem, problemOf, problemResponse } from './problem.js';
import { API_SLICES, PAGE_SLICES } from './routes.js';
import { apiApp } from './api/api-app.js';
import { OWN_CSP } from './own-csp.js';
import { errorPage, sendPage } from './pages/layout.js';
import { loginPages } from './pages/login.js';

/** The page policy: scripts, styles, images and frames from this origin only; nothing inline. */
export const PAGE_CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  frameSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'self'"],
};

const ASSET_TYPES: Record<string, string> = { css: 'text/css; charset=utf-8', js: 'text/javascript; charset=utf-8', svg: 'image/svg+xml', png: 'image/png' };

/** Upload routes take bigger bodies than the rest. */
const isUpload = (path: string) => /\/uploads?(\/|$)/.test(path);

export function assetsDir(): string {
  return join(packageRoot(), 'engine', 'server', 'assets');
}

export function createApp(ctx: ServerContext): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const assets = new Map<string, Buffer>();

  // A route may carry its own policy (a report's: sandboxed); it replaces the page policy set below.
  app.use(async (c, next) => {
    await next();
    const own = c.res.headers.get(OWN_CSP);
    if (own) {
      c.res.headers.set('content-security-policy', own);
      c.res.headers.delete(OWN_CSP);
    }
  });
  // No Origin-Agent-Cluster on any response: the report's frame is sandboxed (an opaque origin, kept in the
  // page's site-keyed cluster), so Chrome warns on every page that asks for origin-keying; not asking anywhere is uniform.
  app.use(secureHeaders({ contentSecurityPolicy: PAGE_CSP, xFrameOptions: 'SAMEORIGIN', referrerPolicy: 'same-origin', crossOriginResourcePolicy: 'same-origin', originAgentCluster: false }));
  app.use(async (c, next) => {
    // With no login at all, a page on another site must not reach us by a name resolving to 127.0.0.1 (DNS rebinding).
    const host = (c.req.header('host') ?? 'localhost').replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
    if (localMode(ctx) && !isLoopback(host)) return problemResponse(c, problemOf(new HttpProblem(403, 'E_HOST', `host ${host} is not this local server`)));
    const limit = isUpload(c.req.path) ? ctx.limits.uploadBytes : ctx.limits.bodyBytes;
    return bodyLimit({
      maxSize: limit,
      onError: (c2) => problemResponse(c2, problemOf(new HttpProblem(413, 'E_TOO_LARGE', `the request body is over ${limit} bytes`, 'send less at once'))),
    })(c, next);
  });
  app.use(authenticate(ctx));
  app.use(csrfProtection(ctx));

  app.get('/assets/:name{[a-z0-9-]+\\.(css|js|svg|png)}', (c) => {
    const name = c.req.param('name');
    let body = assets.get(name);
    if (!body) {
      try {
        body = readFileSync(join(assetsDir(), name));
      } catch {
        return c.notFound();
      }
      assets.set(name, body);
    }
    return c.body(new Uint8Array(body), 200, { 'content-type': ASSET_TYPES[name.split('.').pop()!], 'cache-control': 'no-cache' });
  });

  const api = apiApp();
  for (const slice of API_SLICES) api.route('/', slice(ctx));
  api.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'Quire', version: quireVersion(), description: 'Notebooks, runs, schedules, templates, metrics and data of a Quire project.' },
    security: [{ bearer: [] }],
  });
  api.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', description: 'a token from `quire tokens create`' });
  app.route('/api/v1', api);

  app.route('/', loginPages(ctx));
  for (const slice of PAGE_SLICES) app.route('/', slice(ctx));
  app.get('/', (c) => c.redirect('/notebooks', 303));
  app.get('/favicon.ico', (c) => c.body(null, 204));

  app.notFound((c) => {
    const p = problemOf(new HttpProblem(404, 'E_NOT_FOUND', `nothing at ${c.req.path}`));
    return isApi(c.req.path) ? problemResponse(c, p) : sendPage(c, errorPage(c, p), 404);
  });
  app.onError((err, c) => {
    const p = problemOf(err);
    if (p.status >= 500 && !(err instanceof HTTPException)) console.error(err);
    return isApi(c.req.path) ? problemResponse(c, p) : sendPage(c, errorPage(c, p), p.status as 500);
  });
  return app;
}
