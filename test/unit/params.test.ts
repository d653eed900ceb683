import { describe, expect, it } from 'vitest';
import { UserError, ValidationErrors } from '../../engine/util/errors.js';
import {
  evaluateRelative,
  localDate,
  paramSpecSchema,
  paramsSchema,
  parseCliParams,
  parsePeriod,
  periodBounds,
  relativePeriod,
  resolveParams,
  type ParamSpec,
  type RelativeWord,
} from '../../engine/params/index.js';

const NOW = new Date('2026-11-05T12:00:00Z');
const UTC = { now: NOW, timezone: 'UTC' };
const CLI = { ...UTC, fromCli: true };

/** Runs `fn`, expects a ValidationErrors, returns its errors. */
function problems(fn: () => unknown): UserError[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationErrors);
    return (err as ValidationErrors).errors as UserError[];
  }
  throw new Error('expected a ValidationErrors');
}

function one(fn: () => unknown): UserError {
  const errs = problems(fn);
  expect(errs).toHaveLength(1);
  return errs[0];
}

function value(spec: ParamSpec, given: unknown, opts: { now: Date; timezone: string; fromCli?: boolean } = CLI) {
  return resolveParams({ p: spec }, { p: given }, opts).values.p;
}

describe('schema', () => {
  it('accepts the spec example', () => {
    const r = paramsSchema.safeParse({
      month: { type: 'month', default: 'previous_month', description: 'Month under review' },
      region: { type: 'select', options: ['all', 'NA', 'EU', 'APAC', 'LATAM'], default: 'all' },
      min_amount: { type: 'number', default: 0 },
    });
    expect(r.success).toBe(true);
  });

  it('accepts typed defaults of every type', () => {
    const ok: ParamSpec[] = [
      { type: 'string', default: 'x' },
      { type: 'string', default: 2026 },
      { type: 'number', default: 3.5 },
      { type: 'integer', default: 3 },
      { type: 'boolean', default: false },
      { type: 'date', default: '2024-02-29' },
      { type: 'date', default: 'today' },
      { type: 'date', default: 'previous_year' },
      { type: 'month', default: '2026-12' },
      { type: 'month', default: 'yesterday' },
      { type: 'quarter', default: '2026-Q4' },
      { type: 'quarter', default: 'previous_month' },
      { type: 'year', default: 2026 },
      { type: 'year', default: '2026' },
      { type: 'year', default: 'current_year' },
      { type: 'select', options: ['a', 'b'], default: 'b' },
      { type: 'select', options: [10, 20], default: 20 },
      { type: 'list', default: ['a', 'b'] },
      { type: 'list', default: [] },
      { type: 'string', label: 'Name', description: 'who' },
    ];
    for (const spec of ok) expect(paramSpecSchema.safeParse(spec).success, JSON.stringify(spec)).toBe(true);
  });

  it.each([
    [{ type: 'number', default: 'abc' }, 'default'],
    [{ type: 'integer', default: 3.5 }, 'default'],
    [{ type: 'boolean', default: 'yes' }, 'default'],
    [{ type: 'date', default: '2026-02-30' }, 'default'],
    [{ type: 'month', default: '2026-13' }, 'default'],
    [{ type: 'month', default: 'current_year' }, 'default'],
    [{ type: 'quarter', default: '2026-Q5' }, 'default'],
    [{ type: 'quarter', default: 'previous_year' }, 'default'],
    [{ type: 'year', default: 26 }, 'default'],
    [{ type: 'year', default: 2026.5 }, 'default'],
    [{ type: 'list', default: 'a,b' }, 'default'],
    [{ type: 'select', options: ['a'], default: 'z' }, 'default'],
    [{ type: 'select' }, 'options'],
    [{ type: 'select', options: [] }, 'options'],
    [{ type: 'select', options: ['a', 'a'] }, 'options'],
    [{ type: 'string', options: ['a'] }, 'options'],
    [{ type: 'datetime' }, 'type'],
    [{ type: 'string', defualt: 'x' }, ''],
  ])('rejects %j at %s', (spec, path) => {
    const r = paramSpecSchema.safeParse(spec);
    expect(r.success).toBe(false);
    expect(r.error!.issues.some((i) => String(i.path[0] ?? '') === path)).toBe(true);
  });

  it('explains a bad default and a missing option list', () => {
    const r = paramSpecSchema.safeParse({ type: 'month', default: '2026-13' });
    expect(r.error!.issues[0].message).toContain('default must be a month (YYYY-MM), got "2026-13"');
    const s = paramSpecSchema.safeParse({ type: 'select' });
    expect(s.error!.issues[0].message).toMatch(/select param needs options/);
    const t = paramSpecSchema.safeParse({ type: 'string', options: ['a'] });
    expect(t.error!.issues[0].message).toMatch(/only allowed on select/);
  });

  it('checks param names and derived-name clashes', () => {
    const bad = paramsSchema.safeParse({ Month: { type: 'month' }, '1x': { type: 'string' } });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => i.message).join('\n')).toContain('param name "Month" must start with a lower-case letter');
    expect(bad.error!.issues).toHaveLength(2);
    const clash = paramsSchema.safeParse({ month: { type: 'month' }, month_start: { type: 'date' } });
    expect(clash.success).toBe(false);
    expect(clash.error!.issues[0].path).toEqual(['month_start']);
  });
});

describe('periods', () => {
  it.each([
    ['date', '2026-10-31', '2026-10-31', '2026-11-01'],
    ['date', '2026-12-31', '2026-12-31', '2027-01-01'],
    ['date', '2024-02-28', '2024-02-28', '2024-02-29'],
    ['date', '2024-02-29', '2024-02-29', '2024-03-01'],
    ['date', '2025-02-28', '2025-02-28', '2025-03-01'],
    ['month', '2026-10', '2026-10-01', '2026-11-01'],
    ['month', '2026-12', '2026-12-01', '2027-01-01'],
    ['month', '2024-02', '2024-02-01', '2024-03-01'],
    ['quarter', '2026-Q1', '2026-01-01', '2026-04-01'],
    ['quarter', '2026-Q2', '2026-04-01', '2026-07-01'],
    ['quarter', '2026-Q3', '2026-07-01', '2026-10-01'],
    ['quarter', '2026-Q4', '2026-10-01', '2027-01-01'],
    ['year', 2026, '2026-01-01', '2027-01-01'],
    ['year', '2024', '2024-01-01', '2025-01-01'],
  ] as const)('%s %s -> [%s, %s)', (type, v, start, end) => {
    expect(periodBounds(type, v)).toEqual({ start, end });
  });

  it.each([
    ['date', '2026-02-30'],
    ['date', '2025-02-29'],
    ['date', '1900-02-29'],
    ['date', '2026-13-01'],
    ['date', '2026-00-10'],
    ['date', '2026-04-31'],
    ['date', '2026-1-1'],
    ['date', '2026-10-01T00:00'],
    ['date', '0000-01-01'],
    ['month', '2026-13'],
    ['month', '2026-00'],
    ['month', '2026-1'],
    ['month', '2026-10-01'],
    ['quarter', '2026-Q5'],
    ['quarter', '2026-Q0'],
    ['quarter', '2026-q4'],
    ['quarter', '2026Q4'],
    ['year', '26'],
    ['year', '20266'],
    ['year', 2026.5],
    ['year', 0],
    ['month', 202610],
  ] as const)('rejects %s %j', (type, v) => {
    expect(parsePeriod(type, v)).toBeUndefined();
    expect(() => periodBounds(type, v)).toThrow(RangeError);
  });

  it('accepts 2000-02-29 (400-year rule)', () => {
    expect(parsePeriod('date', '2000-02-29')?.end).toBe('2000-03-01');
  });
});

describe('relative words', () => {
  const words: RelativeWord[] = ['today', 'yesterday', 'current_month', 'previous_month', 'current_quarter', 'previous_quarter', 'current_year', 'previous_year'];

  it('evaluates every word for a date in mid-year', () => {
    const at = new Date('2026-05-15T10:00:00Z');
    expect(words.map((w) => evaluateRelative('date', w, at, 'UTC'))).toEqual(['2026-05-15', '2026-05-14', '2026-05-01', '2026-04-01', '2026-04-01', '2026-01-01', '2026-01-01', '2025-01-01']);
    expect(words.map((w) => evaluateRelative('month', w, at, 'UTC'))).toEqual(['2026-05', '2026-05', '2026-05', '2026-04', undefined, undefined, undefined, undefined]);
    expect(words.map((w) => evaluateRelative('quarter', w, at, 'UTC'))).toEqual(['2026-Q2', '2026-Q2', '2026-Q2', '2026-Q2', '2026-Q2', '2026-Q1', undefined, undefined]);
    expect(words.map((w) => evaluateRelative('year', w, at, 'UTC'))).toEqual([2026, 2026, 2026, 2026, 2026, 2026, 2026, 2025]);
  });

  it('crosses the year boundary on January 1st', () => {
    const at = new Date('2026-01-01T12:00:00Z');
    expect(evaluateRelative('date', 'today', at, 'UTC')).toBe('2026-01-01');
    expect(evaluateRelative('date', 'yesterday', at, 'UTC')).toBe('2025-12-31');
    expect(evaluateRelative('month', 'yesterday', at, 'UTC')).toBe('2025-12');
    expect(evaluateRelative('month', 'previous_month', at, 'UTC')).toBe('2025-12');
    expect(evaluateRelative('quarter', 'previous_quarter', at, 'UTC')).toBe('2025-Q4');
    expect(evaluateRelative('quarter', 'previous_month', at, 'UTC')).toBe('2025-Q4');
    expect(evaluateRelative('year', 'previous_month', at, 'UTC')).toBe(2025);
    expect(evaluateRelative('year', 'previous_year', at, 'UTC')).toBe(2025);
    expect(evaluateRelative('year', 'current_year', at, 'UTC')).toBe(2026);
  });

  it('uses the local date of the timezone, not UTC (behind UTC)', () => {
    const at = new Date('2026-01-01T02:00:00Z');
    expect(localDate(at, 'UTC')).toEqual({ year: 2026, month: 1, day: 1 });
    expect(localDate(at, 'America/New_York')).toEqual({ year: 2025, month: 12, day: 31 });
    expect(evaluateRelative('date', 'today', at, 'America/New_York')).toBe('2025-12-31');
    expect(evaluateRelative('date', 'yesterday', at, 'America/New_York')).toBe('2025-12-30');
    expect(evaluateRelative('month', 'current_month', at, 'America/New_York')).toBe('2025-12');
    expect(evaluateRelative('month', 'previous_month', at, 'America/New_York')).toBe('2025-11');
    expect(evaluateRelative('month', 'previous_month', at, 'UTC')).toBe('2025-12');
    expect(evaluateRelative('quarter', 'current_quarter', at, 'America/New_York')).toBe('2025-Q4');
    expect(evaluateRelative('quarter', 'previous_quarter', at, 'America/New_York')).toBe('2025-Q3');
    expect(evaluateRelative('year', 'current_year', at, 'America/New_York')).toBe(2025);
    expect(evaluateRelative('year', 'previous_year', at, 'America/New_York')).toBe(2024);
  });

  it('uses the local date of the timezone, not UTC (ahead of UTC)', () => {
    const at = new Date('2026-03-31T20:00:00Z'); // 2026-04-01 05:00 in Tokyo
    expect(evaluateRelative('date', 'today', at, 'Asia/Tokyo')).toBe('2026-04-01');
    expect(evaluateRelative('quarter', 'current_quarter', at, 'Asia/Tokyo')).toBe('2026-Q2');
    expect(evaluateRelative('quarter', 'current_quarter', at, 'UTC')).toBe('2026-Q1');
    expect(evaluateRelative('month', 'previous_month', at, 'Asia/Tokyo')).toBe('2026-03');
  });

  it('yesterday handles leap day and month ends', () => {
    expect(evaluateRelative('date', 'yesterday', new Date('2024-03-01T12:00:00Z'), 'UTC')).toBe('2024-02-29');
    expect(evaluateRelative('date', 'yesterday', new Date('2025-03-01T12:00:00Z'), 'UTC')).toBe('2025-02-28');
    expect(relativePeriod('previous_quarter', new Date('2026-02-10T00:00:00Z'), 'UTC')).toEqual({
      grain: 'quarter',
      start: { year: 2025, month: 10, day: 1 },
    });
  });

  it('rejects an unknown timezone with E_TIMEZONE', () => {
    expect(() => resolveParams({}, {}, { now: NOW, timezone: 'Mars/Olympus' })).toThrow(expect.objectContaining({ code: 'E_TIMEZONE' }));
  });
});

describe('resolveParams: values of every type', () => {
  it('string: any text, including SQL-looking text', () => {
    expect(value({ type: 'string' }, "x'; DROP TABLE orders; --")).toBe("x'; DROP TABLE orders; --");
    expect(value({ type: 'string' }, '')).toBe('');
    expect(value({ type: 'string' }, ' padded ')).toBe(' padded ');
    expect(value({ type: 'string' }, 'today')).toBe('today');
    expect(value({ type: 'string' }, 42, UTC)).toBe('42');
    expect(one(() => value({ type: 'string' }, { a: 1 }, UTC)).code).toBe('E_PARAM_TYPE');
  });

  it('number', () => {
    expect(value({ type: 'number' }, '3.5')).toBe(3.5);
    expect(value({ type: 'number' }, '-2')).toBe(-2);
    expect(value({ type: 'number' }, '1e3')).toBe(1000);
    expect(value({ type: 'number' }, '.5')).toBe(0.5);
    expect(value({ type: 'number' }, 7.25, UTC)).toBe(7.25);
    for (const bad of ['abc', 'NaN', 'Infinity', '-Infinity', '', ' ', '0x10', '1,5', '1e400', '3.5abc']) {
      const e = one(() => value({ type: 'number' }, bad));
      expect(e.code, bad).toBe('E_PARAM_TYPE');
      expect(e.message).toBe(`param "p" expects a number, got ${JSON.stringify(bad)}`);
    }
    expect(one(() => value({ type: 'number' }, Number.NaN, UTC)).code).toBe('E_PARAM_TYPE');
    expect(one(() => value({ type: 'number' }, '5', UTC)).code).toBe('E_PARAM_TYPE');
  });

  it('integer', () => {
    expect(value({ type: 'integer' }, '42')).toBe(42);
    expect(value({ type: 'integer' }, '-7')).toBe(-7);
    expect(value({ type: 'integer' }, 3, UTC)).toBe(3);
    for (const bad of ['3.5', '3.0', 'abc', '1e3', '', '99999999999999999999']) {
      expect(one(() => value({ type: 'integer' }, bad)).code, bad).toBe('E_PARAM_TYPE');
    }
    const e = one(() => value({ type: 'integer' }, 3.5, UTC));
    expect(e.message).toBe('param "p" expects an integer, got 3.5');
  });

  it('boolean', () => {
    for (const t of ['true', 'TRUE', 'yes', '1', 'Yes']) expect(value({ type: 'boolean' }, t), t).toBe(true);
    for (const f of ['false', 'no', '0', 'False']) expect(value({ type: 'boolean' }, f), f).toBe(false);
    expect(value({ type: 'boolean' }, true, UTC)).toBe(true);
    for (const bad of ['maybe', '', '2', 'y']) expect(one(() => value({ type: 'boolean' }, bad)).code, bad).toBe('E_PARAM_TYPE');
    expect(one(() => value({ type: 'boolean' }, 'yes', UTC)).code).toBe('E_PARAM_TYPE');
  });

  it('date', () => {
    const r = resolveParams({ day: { type: 'date' } }, { day: '2024-02-29' }, CLI);
    expect(r.values).toEqual({ day: '2024-02-29', day_start: '2024-02-29', day_end: '2024-03-01' });
    expect(r.types).toEqual({ day: 'DATE', day_start: 'DATE', day_end: 'DATE' });
    expect(value({ type: 'date' }, 'today')).toBe('2026-11-05');
    expect(value({ type: 'date' }, 'current_quarter')).toBe('2026-10-01');
    expect(value({ type: 'date' }, new Date('2026-10-01T00:00:00Z'), { now: NOW, timezone: 'America/New_York' })).toBe('2026-10-01');
    expect(value({ type: 'date' }, new Date('2026-10-01T02:00:00Z'), { now: NOW, timezone: 'America/New_York' })).toBe('2026-09-30');
    for (const bad of ['2026-02-30', '2026-13-01', '31/10/2026', 'tomorrow', '']) {
      const e = one(() => value({ type: 'date' }, bad));
      expect(e.code).toBe('E_PARAM_TYPE');
      expect(e.message).toBe(`param "p" expects a date (YYYY-MM-DD), got ${JSON.stringify(bad)}`);
    }
  });

  it('month', () => {
    const r = resolveParams({ month: { type: 'month' } }, { month: '2026-12' }, CLI);
    expect(r.values).toEqual({ month: '2026-12', month_start: '2026-12-01', month_end: '2027-01-01' });
    expect(r.types).toEqual({ month: 'VARCHAR', month_start: 'DATE', month_end: 'DATE' });
    expect(value({ type: 'month' }, ' 2026-10 ')).toBe('2026-10');
    expect(value({ type: 'month' }, 'previous_month')).toBe('2026-10');
    const e = one(() => value({ type: 'month' }, '2026-13'));
    expect(e.code).toBe('E_PARAM_TYPE');
    expect(e.message).toBe('param "p" expects a month (YYYY-MM), got "2026-13"');
    expect(e.hint).toMatch(/2026-10.*previous_month/);
    const w = one(() => value({ type: 'month' }, 'current_year'));
    expect(w.message).toBe('param "p" expects a month (YYYY-MM), got "current_year"');
    expect(w.hint).toMatch(/longer period/);
  });

  it('quarter', () => {
    const r = resolveParams({ q: { type: 'quarter' } }, { q: '2026-Q4' }, CLI);
    expect(r.values).toEqual({ q: '2026-Q4', q_start: '2026-10-01', q_end: '2027-01-01' });
    expect(r.types).toEqual({ q: 'VARCHAR', q_start: 'DATE', q_end: 'DATE' });
    expect(value({ type: 'quarter' }, 'previous_quarter')).toBe('2026-Q3');
    for (const bad of ['2026-Q5', '2026-q4', '2026-4', 'current_year']) {
      const e = one(() => value({ type: 'quarter' }, bad));
      expect(e.message, bad).toBe(`param "p" expects a quarter (YYYY-Qn), got ${JSON.stringify(bad)}`);
    }
  });

  it('year is a number bound as BIGINT', () => {
    const r = resolveParams({ y: { type: 'year' } }, { y: '2026' }, CLI);
    expect(r.values).toEqual({ y: 2026, y_start: '2026-01-01', y_end: '2027-01-01' });
    expect(r.types).toEqual({ y: 'BIGINT', y_start: 'DATE', y_end: 'DATE' });
    expect(value({ type: 'year' }, 2024, UTC)).toBe(2024);
    expect(value({ type: 'year' }, '2024', UTC)).toBe(2024);
    expect(value({ type: 'year' }, 'previous_year')).toBe(2025);
    expect(value({ type: 'year' }, 'previous_month', { now: new Date('2026-01-10T00:00:00Z'), timezone: 'UTC', fromCli: true })).toBe(2025);
    for (const bad of ['26', '2026.0', 'abc', '20266']) {
      const e = one(() => value({ type: 'year' }, bad));
      expect(e.message, bad).toBe(`param "p" expects a year (YYYY), got ${JSON.stringify(bad)}`);
    }
    expect(one(() => value({ type: 'year' }, 2026.5, UTC)).code).toBe('E_PARAM_TYPE');
  });

  it('select', () => {
    const spec: ParamSpec = { type: 'select', options: ['all', 'NA', 'EU', 'APAC', 'LATAM'], default: 'all' };
    expect(value(spec, 'EU')).toBe('EU');
    const r = resolveParams({ region: spec }, {}, CLI);
    expect(r).toEqual({ values: { region: 'all' }, types: { region: 'VARCHAR' } });
    const e = one(() => resolveParams({ region: spec }, { region: 'XX' }, CLI));
    expect(e.code).toBe('E_PARAM_OPTION');
    expect(e.message).toBe('param "region" expects one of all, NA, EU, APAC, LATAM, got "XX"');
    expect(e.hint).toContain('all, NA, EU, APAC, LATAM');
    const close = one(() => resolveParams({ region: spec }, { region: 'eu' }, CLI));
    expect(close.code).toBe('E_PARAM_OPTION');
    expect(close.hint).toMatch(/did you mean "EU"\?/);
    expect(value({ type: 'select', options: [10, 20] }, '20')).toBe('20');
    expect(value({ type: 'select', options: [10, 20] }, 20, UTC)).toBe('20');
  });

  it('list', () => {
    const r = resolveParams({ tags: { type: 'list' } }, { tags: 'a,b,c' }, CLI);
    expect(r).toEqual({ values: { tags: ['a', 'b', 'c'] }, types: { tags: 'VARCHAR[]' } });
    expect(value({ type: 'list' }, ' a , b ,,c ')).toEqual(['a', 'b', 'c']);
    expect(value({ type: 'list' }, 'single')).toEqual(['single']);
    expect(value({ type: 'list' }, '')).toEqual([]);
    expect(value({ type: 'list' }, ['x', 2026, true], UTC)).toEqual(['x', '2026', 'true']);
    expect(one(() => value({ type: 'list' }, 'a,b', UTC)).code).toBe('E_PARAM_TYPE');
    expect(one(() => value({ type: 'list' }, [{ a: 1 }], UTC)).code).toBe('E_PARAM_TYPE');
  });

  it('CLI values must be strings', () => {
    expect(one(() => value({ type: 'number' }, 3)).code).toBe('E_PARAM_TYPE');
  });
});

describe('resolveParams: defaults, order, errors', () => {
  const specs: Record<string, ParamSpec> = {
    month: { type: 'month', default: 'previous_month', description: 'Month under review' },
    region: { type: 'select', options: ['all', 'NA', 'EU', 'APAC', 'LATAM'], default: 'all' },
    min_amount: { type: 'number', default: 0 },
    day: { type: 'date', default: 'yesterday' },
    q: { type: 'quarter', default: 'current_quarter' },
    y: { type: 'year', default: 2026 },
    flag: { type: 'boolean', default: true },
    tags: { type: 'list', default: ['a'] },
  };

  it('applies defaults and orders keys as declared, each period followed by _start/_end', () => {
    const r = resolveParams(specs, {}, { now: new Date('2026-01-01T02:00:00Z'), timezone: 'America/New_York' });
    expect(r.values).toEqual({
      month: '2025-11',
      month_start: '2025-11-01',
      month_end: '2025-12-01',
      region: 'all',
      min_amount: 0,
      day: '2025-12-30',
      day_start: '2025-12-30',
      day_end: '2025-12-31',
      q: '2025-Q4',
      q_start: '2025-10-01',
      q_end: '2026-01-01',
      y: 2026,
      y_start: '2026-01-01',
      y_end: '2027-01-01',
      flag: true,
      tags: ['a'],
    });
    expect(Object.keys(r.values)).toEqual(Object.keys(r.types));
    expect(Object.keys(r.values)).toEqual([
      'month',
      'month_start',
      'month_end',
      'region',
      'min_amount',
      'day',
      'day_start',
      'day_end',
      'q',
      'q_start',
      'q_end',
      'y',
      'y_start',
      'y_end',
      'flag',
      'tags',
    ]);
    expect(r.types).toEqual({
      month: 'VARCHAR',
      month_start: 'DATE',
      month_end: 'DATE',
      region: 'VARCHAR',
      min_amount: 'DOUBLE',
      day: 'DATE',
      day_start: 'DATE',
      day_end: 'DATE',
      q: 'VARCHAR',
      q_start: 'DATE',
      q_end: 'DATE',
      y: 'BIGINT',
      y_start: 'DATE',
      y_end: 'DATE',
      flag: 'BOOLEAN',
      tags: 'VARCHAR[]',
    });
  });

  it('given values override defaults; relative words from schedules work; null means not given', () => {
    const r = resolveParams(specs, { month: 'current_month', region: 'EU', min_amount: 10.5, flag: null }, UTC);
    expect(r.values.month).toBe('2026-11');
    expect(r.values.region).toBe('EU');
    expect(r.values.min_amount).toBe(10.5);
    expect(r.values.flag).toBe(true);
    expect(resolveParams(specs, { month: '2025-12', region: 'EU' }, CLI).values.month_end).toBe('2026-01-01');
  });

  it('a param without default is required', () => {
    const e = one(() => resolveParams({ start: { type: 'date' } }, {}, CLI));
    expect(e).toBeInstanceOf(UserError);
    expect(e.code).toBe('E_PARAM_REQUIRED');
    expect(e.message).toContain('"start"');
    expect(e.hint).toContain('-p start=2026-10-31');
    const api = one(() => resolveParams({ start: { type: 'date' } }, { start: undefined }, UTC));
    expect(api.code).toBe('E_PARAM_REQUIRED');
  });

  it('an unknown name suggests the closest declared param', () => {
    const e = one(() => resolveParams(specs, { regoin: 'EU' }, CLI));
    expect(e.code).toBe('E_PARAM_UNKNOWN');
    expect(e.message).toBe('unknown param "regoin"');
    expect(e.hint).toMatch(/^did you mean "region"\?/);
    expect(e.hint).toContain('month, region, min_amount, day, q, y, flag, tags');
    const far = one(() => resolveParams(specs, { zzzzzzzzzz: '1' }, CLI));
    expect(far.hint).not.toContain('did you mean');
    expect(far.hint).toContain('declared params: month');
    const none = one(() => resolveParams({}, { x: '1' }, CLI));
    expect(none.hint).toBe('this notebook declares no params');
    const derived = one(() => resolveParams(specs, { month_start: '2026-01-01' }, CLI));
    expect(derived.code).toBe('E_PARAM_UNKNOWN');
    expect(derived.hint).toContain('set "month" instead');
  });

  it('reports all problems together', () => {
    const errs = problems(() => resolveParams({ ...specs, must: { type: 'integer' } }, { month: '2026-13', region: 'XX', min_amount: 'NaN', regoin: 'EU' }, CLI));
    expect(errs.map((e) => e.code)).toEqual(['E_PARAM_UNKNOWN', 'E_PARAM_TYPE', 'E_PARAM_OPTION', 'E_PARAM_TYPE', 'E_PARAM_REQUIRED']);
    for (const e of errs) {
      expect(e).toBeInstanceOf(UserError);
      expect(e.hint).toBeTruthy();
    }
  });

  it('two bad params give two errors', () => {
    const errs = problems(() => resolveParams({ a: { type: 'integer' }, b: { type: 'month' } }, { a: '3.5', b: '2026-13' }, CLI));
    expect(errs).toHaveLength(2);
    expect(errs[0].message).toBe('param "a" expects an integer, got "3.5"');
    expect(errs[1].message).toBe('param "b" expects a month (YYYY-MM), got "2026-13"');
    const err = (() => {
      try {
        resolveParams({ a: { type: 'integer' }, b: { type: 'month' } }, { a: '3.5', b: '2026-13' }, CLI);
      } catch (e) {
        return e as ValidationErrors;
      }
    })();
    expect(err?.code).toBe('E_VALIDATION');
    expect(err?.message).toBe('2 problems found');
  });

  it('an invalid default (unvalidated spec) is reported as such', () => {
    const e = one(() => resolveParams({ m: { type: 'month', default: '2026-13' } }, {}, CLI));
    expect(e.code).toBe('E_PARAM_TYPE');
    expect(e.message).toBe('param "m" has an invalid default: expects a month (YYYY-MM), got "2026-13"');
    expect(e.hint).toMatch(/^fix the default/);
  });
});

describe('parseCliParams', () => {
  it('parses pairs; the value may hold "="', () => {
    expect(parseCliParams(['month=2026-10', 'expr=a=b', 'empty=', 'tags=a,b'])).toEqual({
      month: '2026-10',
      expr: 'a=b',
      empty: '',
      tags: 'a,b',
    });
    expect(parseCliParams([])).toEqual({});
  });

  it('a pair without "=" is E_PARAM_SYNTAX', () => {
    let err: unknown;
    try {
      parseCliParams(['month']);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).code).toBe('E_PARAM_SYNTAX');
    expect((err as UserError).message).toContain('"month"');
    expect((err as UserError).hint).toBe('use -p name=value');
    expect(() => parseCliParams(['=x'])).toThrow(expect.objectContaining({ code: 'E_PARAM_SYNTAX' }));
  });

  it('the same name twice is an error', () => {
    expect(() => parseCliParams(['month=2026-10', 'month=2026-11'])).toThrow(expect.objectContaining({ code: 'E_PARAM_DUPLICATE' }));
  });

  it('several problems are reported together', () => {
    const errs = problems(() => parseCliParams(['a', 'b=1', 'b=2']));
    expect(errs.map((e) => e.code)).toEqual(['E_PARAM_SYNTAX', 'E_PARAM_DUPLICATE']);
  });

  it('feeds resolveParams', () => {
    const r = resolveParams(
      { month: { type: 'month', default: 'previous_month' }, region: { type: 'select', options: ['all', 'EU'], default: 'all' } },
      parseCliParams(['region=EU', 'month=2025-12']),
      CLI,
    );
    expect(r.values).toEqual({ month: '2025-12', month_start: '2025-12-01', month_end: '2026-01-01', region: 'EU' });
  });
});
