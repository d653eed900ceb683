/**
 * A params form generated from a notebook's param specs: selects for options, month/quarter/date
 * pickers, the relative default shown resolved, and an error slot beside each field (filled from
 * the 422's field errors, by the server or by app.js).
 */
import type { Context } from 'hono';
import { html } from 'hono/html';
import type { AppEnv } from '../context.js';
import type { ParamField } from '../notebooks/catalog.js';
import type { FieldError } from '../problem.js';
import { csrfField, type Html } from './layout.js';

const text = (v: unknown) => (v === null || v === undefined ? '' : Array.isArray(v) ? v.join(',') : String(v));

const INPUT_TYPES: Record<string, string> = { month: 'month', date: 'date', number: 'number', integer: 'number', year: 'number' };

function input(f: ParamField, value: string): Html {
  const id = `param-${f.name}`;
  if (f.options) {
    return html`<select id="${id}" name="${f.name}">${f.options.map((o) => html`<option value="${String(o)}" ${String(o) === value ? 'selected' : ''}>${String(o)}</option>`)}</select>`;
  }
  if (f.type === 'boolean') {
    return html`<select id="${id}" name="${f.name}"><option value="true" ${value === 'true' ? 'selected' : ''}>true</option><option value="false" ${value === 'false' ? 'selected' : ''}>false</option></select>`;
  }
  if (f.type === 'quarter') {
    const options = quarterOptions(value);
    return html`<select id="${id}" name="${f.name}">${options.map((q) => html`<option value="${q}" ${q === value ? 'selected' : ''}>${q.replace('-', ' ')}</option>`)}</select>`;
  }
  return html`<input id="${id}" name="${f.name}" type="${INPUT_TYPES[f.type] ?? 'text'}" value="${value}" ${f.type === 'integer' || f.type === 'year' ? 'step=1' : ''}>`;
}

/** The quarters a quarter picker offers, newest first: five years up to the year after the value (the value itself always among them). */
export function quarterOptions(value: string, now: Date = new Date()): string[] {
  const m = /^(\d{4})-Q([1-4])$/.exec(value);
  const year = m ? Number(m[1]) : now.getUTCFullYear();
  const out: string[] = [];
  for (let y = year + 1; y >= year - 4; y--) for (let q = 4; q >= 1; q--) out.push(`${y}-Q${q}`);
  if (value && !out.includes(value)) out.unshift(value);
  return out;
}

export function paramsForm(
  c: Context<AppEnv>,
  form: { action: string; api: string; fields: ParamField[]; values?: Record<string, unknown>; errors?: FieldError[]; submit: string; disabled?: boolean; extra?: Record<string, string> },
): Html {
  const errors = new Map((form.errors ?? []).filter((e) => e.field).map((e) => [e.field!, e]));
  const general = (form.errors ?? []).filter((e) => !e.field || !form.fields.some((f) => f.name === e.field));
  return html`<form method="post" action="${form.action}" class="params" data-run-form data-api="${form.api}">
  ${csrfField(c)}
  ${Object.entries(form.extra ?? {}).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}
  <div class="form-error banner banner-failed" ${general.length ? '' : 'hidden'}>${general.map((e) => html`<div>${e.message}</div>`)}</div>
  ${form.fields.map((f) => {
    const given = form.values && Object.hasOwn(form.values, f.name) ? text(form.values[f.name]) : text(f.resolved_default);
    const err = errors.get(f.name);
    const defaultNote = typeof f.default === 'string' && f.default !== text(f.resolved_default) ? html` · default <code>${f.default}</code> = <code>${text(f.resolved_default)}</code>` : '';
    return html`<div class="field${err ? ' invalid' : ''}" data-field="${f.name}">
    <label for="param-${f.name}">${f.label}</label>
    ${input(f, given)}
    <span class="help">${f.type}${f.description ? html` · ${f.description}` : ''}${defaultNote}</span>
    <span class="error" data-error-for="${f.name}">${err ? `${err.message}${err.hint ? ` — ${err.hint}` : ''}` : ''}</span>
  </div>`;
  })}
  <div class="actions"><button type="submit" ${form.disabled ? 'disabled' : ''}>${form.submit}</button></div>
</form>`;
}

/** Text form values of the declared params only (no _csrf, no extras). */
export function formParams(body: Record<string, unknown>, fields: ParamField[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fields) {
    const v = body[f.name];
    if (typeof v === 'string' && v !== '') out[f.name] = v;
  }
  return out;
}
