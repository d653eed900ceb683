import { Liquid, filters as liquidFilters, type Context, type FilterImplOptions } from 'liquidjs';

type FilterImpl = { context: Context };
const escapeFilter = liquidFilters.escape as (this: FilterImpl, v: unknown) => string;
import { UserError } from '../util/errors.js';
import { didYouMean } from '../util/suggest.js';
import type { YamlPath, YamlSource } from '../source/source.js';
import { isTemplate } from './is-template.js';

const LOCALE = 'en-US';

function toNumber(v: unknown): number | null {
  if (v === null || v === undefined || v === '') return null;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : null;
}

/** NULL, undefined, '' and NaN: what a formatting filter hands on as missing (null). */
const isMissing = (v: unknown): boolean => v === null || v === undefined || v === '' || (typeof v === 'number' && !Number.isFinite(v));

/** Filters beyond Liquid's own; cell types may add more with `registerFilter`. */
const filters: Record<string, FilterImplOptions> = {
  number(v: unknown, decimals?: number) {
    const n = toNumber(v);
    if (n === null) return isMissing(v) ? null : v;
    const d = decimals ?? (Number.isInteger(n) ? 0 : 2);
    return n.toLocaleString(LOCALE, { minimumFractionDigits: d, maximumFractionDigits: d });
  },
  percent(v: unknown, decimals = 1) {
    const n = toNumber(v);
    if (n === null) return isMissing(v) ? null : v;
    return `${(n * 100).toLocaleString(LOCALE, { minimumFractionDigits: decimals, maximumFractionDigits: decimals })}%`;
  },
  currency(v: unknown, code = 'USD', decimals = 2) {
    const n = toNumber(v);
    if (n === null) return isMissing(v) ? null : v;
    return n.toLocaleString(LOCALE, { style: 'currency', currency: String(code), minimumFractionDigits: decimals, maximumFractionDigits: decimals });
  },
  /**
   * Metric output lookup: the overall row of `name` (slice_type 'none', segment 'all', latest
   * period). Metric cells put these rows first, so they are within the rows a text cell sees.
   */
  metric(cell: unknown, name: string, column = 'metric_value') {
    const rows = (cell as { rows?: Record<string, unknown>[] } | undefined)?.rows ?? [];
    const named = rows.filter((r) => r.metric_name === name);
    if (!named.length && rows.length && rows[0].metric_name !== undefined) {
      const known = [...new Set(rows.map((r) => String(r.metric_name)))];
      const dym = didYouMean(String(name), known);
      throw new Error(`metric filter: no metric '${name}' in this cell${dym ? ` — ${dym}` : ''} (it has ${known.join(', ')})`);
    }
    const overall = (r: Record<string, unknown>) => (r.slice_type === undefined ? (r.slice_value ?? 'all') === 'all' : r.slice_type === 'none') && (r.segment_name ?? 'all') === 'all';
    let best: Record<string, unknown> | undefined;
    for (const r of named.filter(overall)) {
      if (!best || String(r.period_start_date ?? '') > String(best.period_start_date ?? '')) best = r;
    }
    return best?.[column] ?? null;
  },
};

/**
 * Put on a render's scope object (a symbol: templates can't reach it): what a missing value
 * prints as, and a count of how many did. Without it, missing values print as ''.
 */
export const MISSING = Symbol('quire.missing');
export interface MissingValues {
  text: string;
  count: number;
}

/** The output escape of HTML templates: values escaped; a NULL/undefined/NaN output becomes the scope's missing text. */
function escapeOutput(this: FilterImpl, v: unknown): string {
  if (isMissing(v) && v !== '') {
    const missing = (this.context.environments as { [MISSING]?: MissingValues })[MISSING];
    if (missing) {
      missing.count++;
      return escapeFilter.call(this, missing.text);
    }
  }
  return escapeFilter.call(this, v);
}

export function registerFilter(name: string, impl: FilterImplOptions): void {
  filters[name] = impl;
  engines.clear();
}

export { isTemplate };

/** The folder of a project `{% include %}` and `{% render %}` read from, and nothing outside it. */
export const PARTIALS_DIR = 'partials';

/**
 * Bounds on one render, so a loop sized by a param can't hold a process for long: time in ms,
 * memory in liquidjs's units (about one per character or loop item), template size in characters.
 */
export const LIQUID_LIMITS = { renderLimit: 10_000, memoryLimit: 20_000_000, parseLimit: 5_000_000 };

const engines = new Map<string, Liquid>();
const MAX_ENGINES = 16;

function makeEngine(escapeHtml: boolean, partials: string | undefined): Liquid {
  // liquidjs refuses files outside these folders (`..`, absolute paths); no folder: no includes at all.
  const dirs = partials ? [partials] : [];
  const l = new Liquid({
    ...(escapeHtml ? { outputEscape: escapeOutput, strictVariables: false } : {}),
    strictFilters: true,
    ownPropertyOnly: true,
    root: dirs,
    partials: dirs,
    layouts: dirs,
    relativeReference: false,
    ...LIQUID_LIMITS,
  });
  for (const [name, impl] of Object.entries(filters)) l.registerFilter(name, impl);
  return l;
}

/**
 * The shared Liquid engine: every output HTML-escaped, unknown filters are errors. Includes
 * resolve in `partials` only (a project's `partials/` folder); without it there are none.
 */
export function liquid(partials?: string): Liquid {
  const key = partials ?? '';
  let l = engines.get(key);
  if (!l) {
    if (engines.size >= MAX_ENGINES) engines.delete(engines.keys().next().value!);
    l = makeEngine(true, partials);
    engines.set(key, l);
  }
  return l;
}

/** A Liquid engine without escaping, for plain-text fields (titles, subjects); no includes. */
export function plainLiquid(): Liquid {
  return makeEngine(false, undefined);
}

/** What to tell the user about a failed render. */
export function renderErrorHint(err: unknown): string {
  const message = String((err as Error)?.message ?? err);
  if (/limit exceeded/.test(message)) {
    return `a loop or value grew too big: a render may take ${LIQUID_LIMITS.renderLimit / 1000} s and about ${LIQUID_LIMITS.memoryLimit / 1e6}M characters or loop items; bound loops with \`limit:\``;
  }
  if (/Failed to lookup/.test(message)) return `{% include %} and {% render %} read files from the project's ${PARTIALS_DIR}/ folder only`;
  return 'check the variables and filters this text uses';
}

/**
 * Parses a template field; a syntax error is located in the YAML file. Returns the root
 * variable names it reads (cell ids, `params`), or the error.
 */
export function analyzeTemplate(text: string, source: YamlSource, path: YamlPath, partials?: string): { variables: string[]; error?: UserError } {
  if (!isTemplate(text)) return { variables: [] };
  try {
    const l = liquid(partials);
    const tpl = l.parse(text);
    return { variables: l.globalVariablesSync(tpl) };
  } catch (err) {
    const e = err as Error & { token?: { begin?: number } };
    const offset = e.token?.begin ?? 0;
    return {
      variables: [],
      error: new UserError('E_LIQUID_SYNTAX', `template error: ${e.message.split(',')[0].split('\n')[0]}`, {
        location: source.locateInString(path, offset),
        hint: "check {{ }} / {% %} pairs and filter names (number, percent, currency, date, metric and Liquid's own)",
      }),
    };
  }
}
