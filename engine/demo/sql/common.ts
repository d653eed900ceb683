/**
 * Shared pieces of the demo-data SQL: the date range, the salts of the pseudo-random streams,
 * the TEMP macros every table uses, and a helper that turns a weighted list into a CASE.
 *
 * Randomness is a hash of (id, salt) mapped to [0, 1) (macro `rnd`): a pure function of its
 * inputs, so the same rows come out whatever the thread count or machine (unlike
 * random()/setseed). Every value interpolated into SQL here is a constant of this module or an
 * integer the caller validated.
 */

/** First and last day of the data (inclusive). */
export const START_DATE = '2024-01-01';
export const END_DATE = '2026-12-31';
/** 2024 (leap) + 2025 + 2026. */
export const DAY_COUNT = 1096;
/** Days from 1970-01-01 to START_DATE: timestamps are built as integer microseconds. */
const START_EPOCH_DAY = 19723;
export const DAY_US = 86_400_000_000;
/** Microseconds since the epoch of START_DATE 00:00 and of END_DATE 23:59:59.999999. */
export const START_US = `${START_EPOCH_DAY}::BIGINT * ${DAY_US}`;
export const END_US = `(${START_EPOCH_DAY + DAY_COUNT}::BIGINT * ${DAY_US} - 1)`;

/** One salt (< 1000) per independent random stream; changing one changes only that column. */
export const SALT = {
  dayNoise: 11,
  signupNoise: 12,
  region: 21,
  country: 22,
  segment: 23,
  plan: 24,
  first: 25,
  last: 26,
  domain: 27,
  orderCustomer: 31,
  orderCustomer2: 32,
  redraw: 33,
  tod: 34,
  channel: 35,
  device: 36,
  status: 37,
  amount: 38,
  /* 39 too: normal() uses salt and salt + 1 */ items: 40,
  discount: 41,
  discountRate: 42,
  subStart: 51,
  subChurn: 52,
  seats: 53,
  eventCustomer: 61,
  eventTod: 62,
  eventType: 63,
  eventPage: 64,
  eventDevice: 65,
  ticketCustomer: 71,
  ticketTod: 72,
  priority: 73,
  category: 74,
  resolve: 75,
  stale: 76,
  surge: 77,
  checkoutMember: 81,
  checkoutVariant: 82,
  checkoutAt: 83,
  pricingMember: 84,
  pricingVariant: 85,
  pricingAt: 86,
} as const;

/** A SQL literal for a constant of this module (never user text). */
export function lit(v: string | number): string {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`not a finite number: ${v}`);
    return String(v);
  }
  if (!/^[A-Za-z0-9_ .@-]*$/.test(v)) throw new Error(`unexpected character in demo constant: ${v}`);
  return `'${v}'`;
}

/** A list literal of constants, indexable with `[1 + floor(u * n)::INTEGER]`. */
export function listLit(values: readonly string[]): string {
  return `[${values.map(lit).join(', ')}]`;
}

/**
 * `CASE WHEN u < w1 THEN v1 WHEN u < w1 + w2 THEN v2 ... ELSE vn END` with the weights
 * normalized to sum 1. `u` is a SQL expression in [0, 1).
 */
export function pick(u: string, options: ReadonlyArray<readonly [string | number, number]>): string {
  const total = options.reduce((s, [, w]) => s + w, 0);
  let acc = 0;
  const whens = options.slice(0, -1).map(([v, w]) => {
    acc += w;
    return `WHEN ${u} < ${(acc / total).toFixed(6)} THEN ${lit(v)}`;
  });
  return `CASE ${whens.join(' ')} ELSE ${lit(options[options.length - 1][0])} END`;
}

export const REGIONS = [
  ['NA', 40],
  ['EU', 30],
  ['APAC', 20],
  ['LATAM', 10],
] as const;

export const COUNTRIES: Record<(typeof REGIONS)[number][0], ReadonlyArray<readonly [string, number]>> = {
  NA: [
    ['US', 85],
    ['CA', 15],
  ],
  EU: [
    ['DE', 22],
    ['GB', 20],
    ['FR', 18],
    ['ES', 10],
    ['IT', 10],
    ['NL', 8],
    ['SE', 6],
    ['PL', 6],
  ],
  APAC: [
    ['JP', 30],
    ['AU', 25],
    ['IN', 20],
    ['KR', 15],
    ['SG', 10],
  ],
  LATAM: [
    ['BR', 45],
    ['MX', 30],
    ['AR', 10],
    ['CO', 8],
    ['CL', 7],
  ],
};

/** The experiments: who is in (share of customers), the salts, and when they start. */
export const EXPERIMENTS = {
  checkout_button: { share: 0.6, member: SALT.checkoutMember, variant: SALT.checkoutVariant, at: SALT.checkoutAt, start: '2025-10-01' },
  pricing_page_copy: { share: 0.5, member: SALT.pricingMember, variant: SALT.pricingVariant, at: SALT.pricingAt, start: '2025-05-01' },
} as const;

/**
 * TEMP macros (they live in the build session only, never in the file).
 * - rnd(i, s): uniform [0, 1) from 53 bits of hash(i * 1000 + s). Not hash(i, s): DuckDB
 *   combines the hashes of several arguments by XOR, so hash(i, 35) and hash(i, 36) differ by a
 *   constant bit mask and two such streams would be strongly dependent.
 * - normal(i, s): standard normal by Box-Muller from streams s and s + 1
 * - pick_customer(upto, u): a customer id in 1..upto (ids are in signup order, so every
 *   customer <= upto signed up by that day), leaning to newer customers
 * - cust_region / cust_country / cust_segment(cid): customer attributes as pure functions of
 *   the id, so orders and events get them without a join
 * - in_experiment / is_treatment(cid, salt): experiment membership and variant, same reason
 * - tod_seconds(p): second of the day for a position p in [0, 1) of the day's rows; monotone,
 *   quiet at night and busiest around noon
 */
export function macrosSql(): string[] {
  const region = pick(`rnd(cid, ${SALT.region})`, REGIONS);
  const countryWhens = Object.entries(COUNTRIES)
    .map(([r, list]) => `WHEN ${lit(r)} THEN ${pick(`rnd(cid, ${SALT.country})`, list)}`)
    .join(' ');
  return [
    `CREATE OR REPLACE TEMP MACRO rnd(i, s) AS (hash(i::BIGINT * 1000 + s) >> 11)::DOUBLE / 9007199254740992.0`,
    `CREATE OR REPLACE TEMP MACRO normal(i, s) AS sqrt(-2 * ln(1 - rnd(i, s))) * cos(2 * pi() * rnd(i, s + 1))`,
    `CREATE OR REPLACE TEMP MACRO pick_customer(upto, u) AS (1 + floor(upto * pow(u, 0.75)))::INTEGER`,
    // Dirty rows (cid % 1019 = 3) are always EU; the customers table spells their region 'eu'.
    `CREATE OR REPLACE TEMP MACRO cust_region(cid) AS CASE WHEN cid % 1019 = 3 THEN 'EU' ELSE ${region} END`,
    `CREATE OR REPLACE TEMP MACRO cust_country(cid) AS CASE cust_region(cid) ${countryWhens} END`,
    `CREATE OR REPLACE TEMP MACRO cust_segment(cid) AS ${pick(`rnd(cid, ${SALT.segment})`, [
      ['consumer', 70],
      ['smb', 22],
      ['enterprise', 8],
    ])}`,
    `CREATE OR REPLACE TEMP MACRO in_experiment(cid, salt, share) AS rnd(cid, salt) < share`,
    `CREATE OR REPLACE TEMP MACRO is_treatment(cid, salt) AS rnd(cid, salt) < 0.5`,
    `CREATE OR REPLACE TEMP MACRO tod_seconds(p) AS floor(86400 * (p + 0.6 * sin(2 * pi() * p) / (2 * pi())))::BIGINT`,
  ];
}

/** The calendar day `d` (0-based day index) as a DATE, as microseconds since the epoch, in years. */
export const dayOf = (d: string) => `(DATE ${lit(START_DATE)} + ${d}::INTEGER)`;
export const dayUsOf = (d: string) => `(${START_US} + ${d}::BIGINT * ${DAY_US})`;
export const yearsOf = (d: string) => `(${d} / 365.25)`;

/**
 * A TEMP table with one row per generated id `i` (0-based): its calendar day `d`, the day's first
 * id `lo` and id count `n`, and `cust_upto` (customers signed up by that day), split by the
 * calendar's [lo, hi) columns. Only integers, materialized on their own: unnest over the
 * 1,096-row calendar runs on one thread, and it keeps the ids in order, which a join would not.
 */
export function slotsSql(table: string, lo: string, hi: string): string {
  return `CREATE OR REPLACE TEMP TABLE ${table} AS
SELECT d, ${lo} AS lo, ${hi} - ${lo} AS n, cust_upto, unnest(range(${lo}, ${hi})) AS i FROM demo_days`;
}

/**
 * The slots with their day as DATE (`day`), microseconds (`day_us`) and years since the start
 * (`yrs`), and `p`, the id's position in [0, 1) within its day (jittered by `salt`), which makes
 * timestamps rise with the id.
 */
export function slotsFrom(table: string, salt: number): string {
  return `(SELECT i, d, ${dayOf('d')} AS day, ${dayUsOf('d')} AS day_us, ${yearsOf('d')} AS yrs, cust_upto,
          (i - lo + rnd(i, ${salt})) / n AS p
   FROM ${table})`;
}
