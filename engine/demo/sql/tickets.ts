import { END_US, SALT, lit, pick, slotsFrom, slotsSql } from './common.js';
import { TICKET_SURGE } from './calendar.js';

export function ticketSlotsSql(): string {
  return slotsSql('demo_ticket_slots', 't_lo', 't_hi');
}

/** Mean hours to resolve, by priority. */
const RESOLVE_HOURS = { urgent: 3, high: 10, normal: 30, low: 80 } as const;

/**
 * Support tickets over the order shape (five times as many on the outage day and the next,
 * mostly about checkout). Resolution time is exponential by priority; resolved_at is NULL while
 * open: when it would fall after the data range, or for the 3% of tickets nobody closed.
 */
export function ticketsSql(): string {
  const hours = `CASE priority ${Object.entries(RESOLVE_HOURS)
    .map(([p, h]) => `WHEN ${lit(p)} THEN ${h}`)
    .join(' ')} END`;
  return `CREATE OR REPLACE TABLE tickets AS
WITH t AS (
  SELECT i, day,
    pick_customer(cust_upto, rnd(i, ${SALT.ticketCustomer})) AS customer_id,
    day_us + tod_seconds(p) * 1000000 AS opened_us,
    ${pick(`rnd(i, ${SALT.priority})`, [
      ['low', 30],
      ['normal', 45],
      ['high', 18],
      ['urgent', 7],
    ])} AS priority,
    CASE WHEN day IN (${TICKET_SURGE.map((d) => `DATE ${lit(d)}`).join(', ')}) AND rnd(i, ${SALT.surge}) < 0.7 THEN 'checkout'
         ELSE ${pick(`rnd(i, ${SALT.category})`, [
           ['billing', 25],
           ['shipping', 22],
           ['checkout', 12],
           ['account', 16],
           ['product', 15],
           ['other', 10],
         ])}
    END AS category
  FROM ${slotsFrom('demo_ticket_slots', SALT.ticketTod)}
), r AS (
  SELECT *, opened_us + floor(-ln(1 - rnd(i, ${SALT.resolve})) * ${hours} * 3600)::BIGINT * 1000000 AS resolved_us
  FROM t
)
SELECT (i + 1)::INTEGER AS ticket_id, customer_id,
  make_timestamp(opened_us) AS opened_at,
  CASE WHEN resolved_us > ${END_US} OR rnd(i, ${SALT.stale}) < 0.03 THEN NULL
       ELSE make_timestamp(resolved_us) END AS resolved_at,
  priority, category
FROM r`;
}
