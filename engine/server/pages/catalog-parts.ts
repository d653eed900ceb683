/** Pieces the templates, metrics and data pages share: role checks that render an error page, error banners, data tables. */
import type { Context } from 'hono';
import { html } from 'hono/html';
import type { AppEnv } from '../context.js';
import { roleAtLeast, type Role } from '../auth/roles.js';
import { HttpProblem } from '../problem.js';
import { QuireError, ValidationErrors } from '../../util/errors.js';
import type { Html } from './layout.js';

/** Throws a 403 page unless the user has `min` (or a stronger role). */
export function needRole(c: Context<AppEnv>, min: Role): void {
  const user = c.get('user');
  if (!roleAtLeast(user.role, min)) throw new HttpProblem(403, 'E_FORBIDDEN', `this needs the ${min} role; ${user.name} is a ${user.role}`, 'ask an admin for a token with that role');
}

export const hasRole = (c: Context<AppEnv>, min: Role) => roleAtLeast(c.get('user').role, min);

/** An engine error (or several) as a red banner with code, message and hint; anything else is rethrown. */
export function errorBanner(err: unknown): Html {
  if (err instanceof ValidationErrors) {
    return html`<div class="banner banner-failed" role="alert"><strong>${err.errors[0]?.code ?? err.code}</strong>
<ul class="errors">${err.errors.map((e) => html`<li>${e.message}${e.hint ? html` <span class="hint">${e.hint}</span>` : ''}</li>`)}</ul></div>`;
  }
  if (err instanceof QuireError || err instanceof HttpProblem) {
    const hint = err instanceof QuireError ? err.hint : err.hint;
    return html`<div class="banner banner-failed" role="alert"><strong>${err.code}</strong> <span class="detail">${err.message}</span>${hint ? html`<div class="hint">${hint}</div>` : ''}</div>`;
  }
  throw err;
}

/** Runs `fn`; an engine error becomes `{ error }` for the page to show beside the form. */
export async function attempt<T>(fn: () => Promise<T>): Promise<{ value: T; error: null } | { value: null; error: QuireError }> {
  try {
    return { value: await fn(), error: null };
  } catch (err) {
    if (err instanceof QuireError) return { value: null, error: err };
    throw err;
  }
}

/** A cell value as text: numbers with at most 6 decimals, NULL shown as such, lists and structs as JSON. */
export function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toFixed(6)));
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL.*)$/;

/** Rows under their column names (and types), numbers right-aligned. */
export function dataTable(columns: { name: string; type: string }[], rows: unknown[][], opts: { types?: boolean; id?: string } = {}): Html {
  const numeric = columns.map((c) => NUMERIC.test(c.type));
  return html`<div class="table-wrap"><table class="list data"${opts.id ? html` id="${opts.id}"` : ''}>
<thead><tr>${columns.map((c) => html`<th>${c.name}${opts.types ? html`<span class="type">${c.type}</span>` : ''}</th>`)}</tr></thead>
<tbody>${rows.map(
    (r) => html`<tr>${r.map((v, i) => (v === null || v === undefined ? html`<td class="null">NULL</td>` : html`<td class="${numeric[i] ? 'num' : ''}">${cellText(v)}</td>`))}</tr>`,
  )}</tbody></table></div>`;
}
