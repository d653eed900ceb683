/**
 * Resolves a notebook's declared params against given values (CLI, library API, schedule) into
 * the values the engine binds, with the DuckDB type of each.
 *
 * Value forms (ParamValue):
 *   string, select -> string            (VARCHAR)
 *   number         -> finite number     (DOUBLE)
 *   integer        -> safe integer      (BIGINT)
 *   boolean        -> boolean           (BOOLEAN)
 *   date           -> 'YYYY-MM-DD'      (DATE)
 *   month          -> 'YYYY-MM'         (VARCHAR)
 *   quarter        -> 'YYYY-Qn'         (VARCHAR)
 *   year           -> the NUMBER 2026   (BIGINT), so `$year = year(order_date)` compares integers
 *   list           -> string[]          (VARCHAR[])
 * Every period param (date, month, quarter, year) also yields `<name>_start` and `<name>_end`
 * ('YYYY-MM-DD', DATE): first day, and first day after the period (exclusive).
 *
 * Given values:
 *   - fromCli: every value is the raw text after `-p name=`. Surrounding spaces are ignored except
 *     for string params. boolean takes true/false/yes/no/1/0 (any case); list is comma-separated,
 *     items trimmed, empty items dropped ('' is the empty list); number takes decimal text
 *     ('3.5', '-2', '1e3'; not 'NaN', 'Infinity', '0x10'); integer takes digits only.
 *   - otherwise (library API, schedules, defaults): typed JS values. number/integer need a JS
 *     number, boolean a JS boolean, list an array (number/boolean items become strings); string
 *     and select also take a number or boolean (YAML `default: 2026`) as its text; year takes 2026
 *     or '2026'; date also takes a Date (a Date at UTC midnight, as YAML timestamps are, is that
 *     UTC day; any other Date is its calendar day in the timezone).
 *   - In both, period params take the relative words of relative.ts, evaluated at `now` in
 *     `timezone`. `undefined` or `null` counts as not given (the default applies).
 * A value is data, never SQL: the engine binds it as a prepared-statement value.
 */
import { distance } from 'fastest-levenshtein';
import { UserError, ValidationErrors } from '../util/errors.js';
import { formatDate, isPeriodType, parsePeriod, type PeriodType } from './periods.js';
import { assertTimezone, evaluateRelative, isRelativeWord, localDate, RELATIVE_WORDS_BY_TYPE } from './relative.js';
import type { ParamSpec, ParamType } from './spec-shape.js';

export type ParamValue = string | number | boolean | string[];
export type SqlParamType = 'VARCHAR' | 'DOUBLE' | 'BIGINT' | 'BOOLEAN' | 'DATE' | 'VARCHAR[]';

export interface ResolvedParams {
  /** Declared order; each period param followed by `<name>_start`, `<name>_end`. */
  values: Record<string, ParamValue>;
  /** How the engine binds each entry of `values` in DuckDB. */
  types: Record<string, SqlParamType>;
}

export interface ResolveOptions {
  /** The run's start instant; relative words are evaluated at it. */
  now: Date;
  /** IANA timezone for relative words (the project or schedule timezone). */
  timezone: string;
  /** `given` holds raw `-p` strings. */
  fromCli?: boolean;
}

/** DuckDB type each param type binds as. */
export const SQL_TYPES: Readonly<Record<ParamType, SqlParamType>> = {
  string: 'VARCHAR',
  number: 'DOUBLE',
  integer: 'BIGINT',
  boolean: 'BOOLEAN',
  date: 'DATE',
  month: 'VARCHAR',
  quarter: 'VARCHAR',
  year: 'BIGINT',
  select: 'VARCHAR',
  list: 'VARCHAR[]',
};

const EXPECTED: Readonly<Record<ParamType, string>> = {
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'a boolean (true or false)',
  date: 'a date (YYYY-MM-DD)',
  month: 'a month (YYYY-MM)',
  quarter: 'a quarter (YYYY-Qn)',
  year: 'a year (YYYY)',
  select: 'one of its options',
  list: 'a list of strings',
};

const EXAMPLE: Readonly<Record<ParamType, string>> = {
  string: 'text',
  number: '3.5',
  integer: '42',
  boolean: 'true',
  date: '2026-10-31',
  month: '2026-10',
  quarter: '2026-Q4',
  year: '2026',
  select: '',
  list: 'a,b,c',
};

/** Outcome of checking one value against one spec. */
export type CoerceResult = { ok: true; value: ParamValue } | { ok: false; code: 'E_PARAM_TYPE' | 'E_PARAM_OPTION'; expected: string; got: string; hint: string };

export interface CoerceContext {
  fromCli: boolean;
  now: Date;
  timezone: string;
}

/** Quotes a given value for a message: strings in double quotes, others as JSON. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'an invalid Date' : value.toISOString();
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (value === undefined) return 'nothing';
  try {
    const json = JSON.stringify(value);
    if (json !== undefined) return json.length > 80 ? `${json.slice(0, 77)}...` : json;
  } catch {
    // fall through
  }
  return String(value);
}

function expectedOf(spec: ParamSpec): string {
  if (spec.type === 'select') return `one of ${(spec.options ?? []).map(String).join(', ')}`;
  return EXPECTED[spec.type];
}

function typeHint(spec: ParamSpec, fromCli: boolean): string {
  const type = spec.type;
  if (isPeriodType(type)) {
    const noun = type === 'date' ? 'a date' : `a ${type}`;
    return `use ${noun} like ${EXAMPLE[type]}, or one of ${RELATIVE_WORDS_BY_TYPE[type].join(', ')}`;
  }
  switch (type) {
    case 'number':
      return 'use a number like 42 or 3.5';
    case 'integer':
      return 'use a whole number like 42';
    case 'boolean':
      return fromCli ? 'use true or false (yes/no and 1/0 work too)' : 'use true or false';
    case 'list':
      return fromCli ? 'separate the items with commas, e.g. -p name=a,b,c' : 'use a list of strings, e.g. [a, b, c]';
    case 'string':
      return 'use a string';
    case 'select':
      return `use one of: ${(spec.options ?? []).map(String).join(', ')}`;
  }
}

function fail(spec: ParamSpec, raw: unknown, fromCli: boolean, hint?: string): CoerceResult {
  return { ok: false, code: 'E_PARAM_TYPE', expected: expectedOf(spec), got: describeValue(raw), hint: hint ?? typeHint(spec, fromCli) };
}

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const CLI_TRUE = new Set(['true', 'yes', '1']);
const CLI_FALSE = new Set(['false', 'no', '0']);

function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 2)) ? best : undefined;
}

function coercePeriod(type: PeriodType, spec: ParamSpec, raw: unknown, ctx: CoerceContext): CoerceResult {
  let value: unknown = raw;
  if (typeof value === 'string' && ctx.fromCli) value = value.trim();
  if (!ctx.fromCli && type === 'date' && value instanceof Date) {
    if (Number.isNaN(value.getTime())) return fail(spec, raw, ctx.fromCli);
    const utcMidnight = value.getUTCHours() === 0 && value.getUTCMinutes() === 0 && value.getUTCSeconds() === 0 && value.getUTCMilliseconds() === 0;
    value = utcMidnight ? formatDate({ year: value.getUTCFullYear(), month: value.getUTCMonth() + 1, day: value.getUTCDate() }) : formatDate(localDate(value, ctx.timezone));
  }
  if (isRelativeWord(value)) {
    const evaluated = evaluateRelative(type, value, ctx.now, ctx.timezone);
    if (evaluated === undefined) {
      return fail(spec, raw, ctx.fromCli, `"${value}" names a longer period than a ${type}; use a ${type} like ${EXAMPLE[type]}, or one of ${RELATIVE_WORDS_BY_TYPE[type].join(', ')}`);
    }
    value = evaluated;
  }
  if (typeof raw === 'number' && type !== 'year') return fail(spec, raw, ctx.fromCli);
  if (typeof value !== 'string' && typeof value !== 'number') return fail(spec, raw, ctx.fromCli);
  const period = parsePeriod(type, value);
  if (!period) return fail(spec, raw, ctx.fromCli);
  return { ok: true, value: period.value };
}

/**
 * Checks one value against one spec and converts it to its bound form. Pure, never throws on bad
 * input (only on an unknown timezone when a relative word has to be evaluated).
 */
export function coerceParamValue(spec: ParamSpec, raw: unknown, ctx: CoerceContext): CoerceResult {
  const { fromCli } = ctx;
  if (fromCli && typeof raw !== 'string') return fail(spec, raw, fromCli);
  const type = spec.type;
  if (isPeriodType(type)) return coercePeriod(type, spec, raw, ctx);
  switch (type) {
    case 'string': {
      if (typeof raw === 'string') return { ok: true, value: raw };
      if ((typeof raw === 'number' && Number.isFinite(raw)) || typeof raw === 'boolean') return { ok: true, value: String(raw) };
      return fail(spec, raw, fromCli);
    }
    case 'number': {
      if (typeof raw === 'number') return Number.isFinite(raw) ? { ok: true, value: raw } : fail(spec, raw, fromCli);
      if (fromCli && typeof raw === 'string') {
        const text = raw.trim();
        const n = Number(text);
        if (DECIMAL.test(text) && Number.isFinite(n)) return { ok: true, value: n };
      }
      return fail(spec, raw, fromCli);
    }
    case 'integer': {
      if (typeof raw === 'number') return Number.isSafeInteger(raw) ? { ok: true, value: raw } : fail(spec, raw, fromCli);
      if (fromCli && typeof raw === 'string') {
        const text = raw.trim();
        const n = Number(text);
        if (/^[+-]?\d+$/.test(text) && Number.isSafeInteger(n)) return { ok: true, value: n };
      }
      return fail(spec, raw, fromCli);
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return { ok: true, value: raw };
      if (fromCli && typeof raw === 'string') {
        const text = raw.trim().toLowerCase();
        if (CLI_TRUE.has(text)) return { ok: true, value: true };
        if (CLI_FALSE.has(text)) return { ok: true, value: false };
      }
      return fail(spec, raw, fromCli);
    }
    case 'list': {
      if (fromCli && typeof raw === 'string') {
        return {
          ok: true,
          value: raw
            .split(',')
            .map((s) => s.trim())
            .filter((s) => s !== ''),
        };
      }
      if (Array.isArray(raw)) {
        const items: string[] = [];
        for (const item of raw) {
          if (typeof item === 'string') items.push(item);
          else if ((typeof item === 'number' && Number.isFinite(item)) || typeof item === 'boolean') items.push(String(item));
          else return fail(spec, raw, fromCli);
        }
        return { ok: true, value: items };
      }
      return fail(spec, raw, fromCli);
    }
    case 'select': {
      const options = (spec.options ?? []).map(String);
      let text: string;
      if (typeof raw === 'string') text = fromCli ? raw.trim() : raw;
      else if ((typeof raw === 'number' && Number.isFinite(raw)) || typeof raw === 'boolean') text = String(raw);
      else return fail(spec, raw, fromCli);
      if (options.includes(text)) return { ok: true, value: text };
      const suggestion = closest(text, options);
      return {
        ok: false,
        code: 'E_PARAM_OPTION',
        expected: expectedOf(spec),
        got: describeValue(raw),
        hint: suggestion !== undefined ? `did you mean "${suggestion}"? Options: ${options.join(', ')}` : `use one of: ${options.join(', ')}`,
      };
    }
  }
}

const EPOCH = new Date(0);

/**
 * Checks a spec's `default` without a clock (relative words are checked for being accepted by
 * the type; their value at run time is not needed). Used by the schema.
 */
export function checkDefault(spec: ParamSpec): CoerceResult {
  return coerceParamValue(spec, spec.default, { fromCli: false, now: EPOCH, timezone: 'UTC' });
}

/** Entries a declared param adds to the resolved values, with their types. */
function entriesFor(name: string, spec: ParamSpec, value: ParamValue): Array<[string, ParamValue, SqlParamType]> {
  const out: Array<[string, ParamValue, SqlParamType]> = [[name, value, SQL_TYPES[spec.type]]];
  if (isPeriodType(spec.type)) {
    const period = parsePeriod(spec.type, value as string | number);
    if (!period) throw new Error(`internal: ${spec.type} value ${describeValue(value)} did not parse after validation`);
    out.push([`${name}_start`, period.start, 'DATE'], [`${name}_end`, period.end, 'DATE']);
  }
  return out;
}

function unknownParamError(name: string, specs: Record<string, ParamSpec>, fromCli: boolean): UserError {
  const declared = Object.keys(specs);
  const derived = /^(.+)_(start|end)$/.exec(name);
  if (derived && Object.hasOwn(specs, derived[1]) && isPeriodType(specs[derived[1]].type)) {
    const base = derived[1];
    const example = fromCli ? ` (-p ${base}=${EXAMPLE[specs[base].type]})` : '';
    return new UserError('E_PARAM_UNKNOWN', `unknown param "${name}": it is derived from param "${base}" and can't be set`, {
      hint: `set "${base}" instead${example}`,
    });
  }
  let hint: string;
  if (declared.length === 0) {
    hint = 'this notebook declares no params';
  } else {
    const suggestion = closest(name, declared);
    const list = `declared params: ${declared.join(', ')}`;
    hint = suggestion !== undefined ? `did you mean "${suggestion}"? ${list}` : list;
  }
  return new UserError('E_PARAM_UNKNOWN', `unknown param "${name}"`, { hint });
}

/**
 * Resolves declared params against given values. Collects every problem and throws one
 * ValidationErrors holding a UserError per problem (E_PARAM_UNKNOWN, E_PARAM_REQUIRED,
 * E_PARAM_TYPE, E_PARAM_OPTION): unknown names first, in given order, then declared params in
 * declared order. An unknown timezone throws a UserError 'E_TIMEZONE' before anything else.
 */
export function resolveParams(specs: Record<string, ParamSpec>, given: Record<string, unknown>, opts: ResolveOptions): ResolvedParams {
  assertTimezone(opts.timezone);
  const fromCli = opts.fromCli ?? false;
  const errors: UserError[] = [];

  for (const name of Object.keys(given)) {
    if (!Object.hasOwn(specs, name)) errors.push(unknownParamError(name, specs, fromCli));
  }

  const values: Record<string, ParamValue> = {};
  const types: Record<string, SqlParamType> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const raw = Object.hasOwn(given, name) ? given[name] : undefined;
    let result: CoerceResult;
    let fromDefault = false;
    if (raw !== undefined && raw !== null) {
      result = coerceParamValue(spec, raw, { fromCli, now: opts.now, timezone: opts.timezone });
    } else if (spec.default !== undefined) {
      fromDefault = true;
      result = coerceParamValue(spec, spec.default, { fromCli: false, now: opts.now, timezone: opts.timezone });
    } else {
      const how = fromCli ? `pass it with -p ${name}=${spec.type === 'select' ? String(spec.options?.[0] ?? 'value') : EXAMPLE[spec.type]}` : `give a value for "${name}" (${expectedOf(spec)})`;
      errors.push(
        new UserError('E_PARAM_REQUIRED', `param "${name}" is required: it has no default and no value was given`, {
          hint: `${how}, or give it a default in the notebook`,
        }),
      );
      continue;
    }
    if (!result.ok) {
      const message = fromDefault ? `param "${name}" has an invalid default: expects ${result.expected}, got ${result.got}` : `param "${name}" expects ${result.expected}, got ${result.got}`;
      const hint = fromDefault ? `fix the default in the notebook: ${result.hint}` : result.hint;
      errors.push(new UserError(result.code, message, { hint }));
      continue;
    }
    for (const [key, value, sqlType] of entriesFor(name, spec, result.value)) {
      values[key] = value;
      types[key] = sqlType;
    }
  }

  if (errors.length > 0) throw new ValidationErrors(errors);
  return { values, types };
}

/**
 * Parses repeated `-p name=value` arguments. The value is everything after the first '=' (it
 * may hold '=' itself) and is kept verbatim; the name is trimmed. A pair without '=' or without
 * a name is 'E_PARAM_SYNTAX'; a name given twice is 'E_PARAM_DUPLICATE'. One problem throws that
 * UserError; several throw a ValidationErrors holding all of them.
 */
export function parseCliParams(pairs: string[]): Record<string, string> {
  const entries = new Map<string, string>();
  const errors: UserError[] = [];
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq < 0) {
      errors.push(new UserError('E_PARAM_SYNTAX', `-p ${JSON.stringify(pair)} has no "="`, { hint: 'use -p name=value' }));
      continue;
    }
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1);
    if (name === '') {
      errors.push(new UserError('E_PARAM_SYNTAX', `-p ${JSON.stringify(pair)} has no param name before "="`, { hint: 'use -p name=value' }));
      continue;
    }
    const previous = entries.get(name);
    if (previous !== undefined) {
      errors.push(
        new UserError('E_PARAM_DUPLICATE', `param "${name}" is given twice (-p ${name}=${previous} and -p ${name}=${value})`, {
          hint: `give -p ${name}=... once`,
        }),
      );
      continue;
    }
    entries.set(name, value);
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new ValidationErrors(errors);
  return Object.fromEntries(entries);
}
