import { DAY_COUNT, SALT, dayOf, dayUsOf, lit, yearsOf } from './common.js';

/** Days whose order volume is off the regular pattern (an anomaly detector should find them). */
export const ANOMALIES = [
  { date: '2024-05-14', factor: 2.2, note: 'spike: TV campaign' },
  { date: '2024-08-07', factor: 0.45, note: 'dip: payment provider incident' },
  { date: '2025-11-28', factor: 3.0, note: 'spike: Black Friday campaign went viral' },
  { date: '2026-03-15', factor: 0.3, note: 'dip: checkout outage (support tickets surge that day and the next)' },
] as const;

/** Extra support tickets on the outage day and the day after. */
export const TICKET_SURGE = ['2026-03-15', '2026-03-16'];

export interface Sizes {
  orders: number;
  customers: number;
  events: number;
  tickets: number;
}

/**
 * The calendar: one row per day with integer weights, and for each generated table the id range
 * [lo, hi) that falls on that day. Integer weights and cumulative integer sums make the split
 * exact, so it cannot drift with floating-point summation order.
 *
 * Orders: growth ~35%/year, weekday pattern, a small summer bump, a Nov-Dec holiday peak, a dip
 * on Christmas day, the anomalies above, and +-4% daily noise. Events follow the order shape;
 * tickets too, plus the outage surge. Customers sign up with the same growth, and 4% of them
 * arrive on the first day (the customer base the shop started with).
 */
export function calendarSql(n: Sizes): string {
  const anomaly = ANOMALIES.map((a) => `WHEN DATE ${lit(a.date)} THEN ${a.factor}`).join(' ');
  const surge = TICKET_SURGE.map((d) => `DATE ${lit(d)}`).join(', ');
  const split = (col: string, count: number, w: string) => `(${count} * (c${w} - ${w}) // t${w})::BIGINT AS ${col}_lo, (${count} * c${w} // t${w})::BIGINT AS ${col}_hi`;
  return `CREATE OR REPLACE TEMP TABLE demo_days AS
WITH base AS (
  SELECT range::INTEGER AS d, ${dayOf('range')} AS day, ${yearsOf('range')} AS yrs, dayofyear(${dayOf('range')}) AS doy
  FROM range(${DAY_COUNT})
), shape AS (
  SELECT *,
    exp(0.30 * yrs) AS growth,
    CASE isodow(day) WHEN 1 THEN 1.00 WHEN 2 THEN 1.03 WHEN 3 THEN 1.04 WHEN 4 THEN 1.02
                     WHEN 5 THEN 1.08 WHEN 6 THEN 0.86 ELSE 0.80 END AS weekly,
    (1 + 0.05 * cos(2 * pi() * (doy - 172) / 365.25) + 0.35 * exp(-pow((doy - 340) / 22.0, 2)))
      * CASE WHEN month(day) = 12 AND day(day) = 25 THEN 0.5 ELSE 1 END AS yearly,
    CASE day ${anomaly} ELSE 1 END AS anomaly
  FROM base
), weights AS (
  SELECT *,
    round(1e6 * growth * weekly * yearly * anomaly * (0.96 + 0.08 * rnd(d, ${SALT.dayNoise})))::BIGINT AS ow,
    round(1e6 * growth * (0.9 + 0.2 * rnd(d, ${SALT.signupNoise})))::BIGINT
      + CASE WHEN d = 0 THEN 70 * 1000000 ELSE 0 END AS sw
  FROM shape
), weights2 AS (
  SELECT *, ow * CASE WHEN day IN (${surge}) THEN 5 ELSE 1 END AS tw FROM weights
), cumulative AS (
  SELECT *,
    sum(ow) OVER (ORDER BY d) AS cow, sum(ow) OVER () AS tow,
    sum(tw) OVER (ORDER BY d) AS ctw, sum(tw) OVER () AS ttw,
    sum(sw) OVER (ORDER BY d) AS csw, sum(sw) OVER () AS tsw
  FROM weights2
)
SELECT d, day, ${dayUsOf('d')} AS day_us, yrs,
  ${split('o', n.orders, 'ow')},
  ${split('e', n.events, 'ow')},
  ${split('t', n.tickets, 'tw')},
  ${split('c', n.customers, 'sw')},
  (${n.customers} * csw // tsw)::BIGINT AS cust_upto
FROM cumulative
ORDER BY d`;
}
