/**
 * The page shell every page shares: header with the nav, the signed-in user, the content.
 * Pages are rendered with hono/html's `html` tagged template, which escapes every interpolated
 * value (use `raw` only for markup we built ourselves). No JSX: every page file sticks to `html`.
 * No inline script or style: the CSP forbids them; client code is in assets/app.js.
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { AppEnv } from '../context.js';
import type { Problem } from '../problem.js';

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/**
 * Sends a page. Its text goes to Hono as a primitive string: the String object html`` makes would
 * have the Node server build a web Response and stream it, several times the cost of one write.
 */
export async function sendPage(c: Context<AppEnv>, page: Html, status?: ContentfulStatusCode): Promise<Response> {
  return c.html(`${await page}`, status);
}

export const NAV = [
  { id: 'notebooks', label: 'Notebooks', href: '/notebooks' },
  { id: 'runs', label: 'Runs', href: '/runs' },
  { id: 'schedules', label: 'Schedules', href: '/schedules' },
  { id: 'templates', label: 'Templates', href: '/templates' },
  { id: 'metrics', label: 'Metrics', href: '/metrics' },
  { id: 'data', label: 'Data', href: '/data' },
] as const;

export type NavId = (typeof NAV)[number]['id'] | 'login' | 'error';

/** The hidden field carrying the session's CSRF token: put it in every state-changing form. */
export function csrfField(c: Context<AppEnv>): Html {
  return html`<input type="hidden" name="_csrf" value="${c.get('csrf') ?? ''}">`;
}

export function layout(c: Context<AppEnv>, page: { title: string; active: NavId; body: Html }): Html {
  const user = c.get('user');
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="${c.get('csrf') ?? ''}">
<title>${page.title} · Quire</title>
<link rel="stylesheet" href="/assets/app.css">
<script src="/assets/app.js" defer></script>
</head>
<body>
<header class="topbar">
  <a class="brand" href="/notebooks">Quire</a>
  <nav>
    ${NAV.map((n) => html`<a href="${n.href}" class="${n.id === page.active ? 'active' : ''}">${n.label}</a>`)}
  </nav>
  <div class="who">
    ${
      user
        ? html`<span class="user">${user.name} <span class="role">${user.role}</span></span>${
            user.via === 'cookie' ? html`<form method="post" action="/logout" class="inline">${csrfField(c)}<button class="link">Log out</button></form>` : ''
          }`
        : html`<a href="/login">Log in</a>`
    }
  </div>
</header>
<main class="page">
${page.body}
</main>
</body>
</html>`;
}

/** A status badge in the report's colours. */
export function badge(status: string): Html {
  return html`<span class="badge badge-${status}" data-status="${status}">${status}</span>`;
}

export function errorPage(c: Context<AppEnv>, p: Problem): Html {
  return layout(c, {
    title: p.title,
    active: 'error',
    body: html`<h1>${p.title}</h1>
<div class="banner banner-failed"><strong>${p.code}</strong> ${p.detail}</div>
${p.hint ? html`<p class="muted">${p.hint}</p>` : ''}`,
  });
}

/** `2026-12-03T05:53:09.000Z` → `2026-12-03 05:53 UTC`. */
export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}
