import { SALT, pick, slotsFrom, slotsSql } from './common.js';

/** Purchase share of events: control, and checkout_button treatment after assignment (x1.15). */
export const PURCHASE_RATE = { control: 0.1, treatment: 0.115 } as const;

export function eventSlotsSql(): string {
  return slotsSql('demo_event_slots', 'e_lo', 'e_hi');
}

/**
 * Web/app events over the same daily shape as orders: impressions, clicks, signups and
 * purchases. A checkout_button treatment customer's events after their assigned_at are
 * purchases 15% more often. Purchases happen on checkout, signups on pricing or the home page.
 * Dirty rows: device NULL where event_id % 5003 = 77.
 */
export function eventsSql(): string {
  const page = `CASE WHEN event_type = 'purchase' THEN 'checkout'
       WHEN event_type = 'signup' THEN ${pick(`rnd(i, ${SALT.eventPage})`, [
         ['pricing', 60],
         ['home_page', 40],
       ])}
       ELSE ${pick(`rnd(i, ${SALT.eventPage})`, [
         ['home_page', 55],
         ['pricing', 30],
         ['checkout', 15],
       ])} END`;
  return `CREATE OR REPLACE TABLE events AS
WITH e AS (
  SELECT i, make_timestamp(day_us + tod_seconds(p) * 1000000) AS event_time,
         pick_customer(cust_upto, rnd(i, ${SALT.eventCustomer})) AS customer_id
  FROM ${slotsFrom('demo_event_slots', SALT.eventTod)}
), treated AS (
  SELECT customer_id, assigned_at FROM experiment_assignments
  WHERE experiment = 'checkout_button' AND variant = 'treatment'
), rated AS (
  SELECT e.*,
    CASE WHEN event_time >= t.assigned_at THEN ${PURCHASE_RATE.treatment} ELSE ${PURCHASE_RATE.control} END AS pr
  FROM e LEFT JOIN treated t USING (customer_id)
), typed AS (
  SELECT *,
    CASE WHEN rnd(i, ${SALT.eventType}) < pr THEN 'purchase'
         WHEN rnd(i, ${SALT.eventType}) < pr + 0.03 THEN 'signup'
         WHEN rnd(i, ${SALT.eventType}) < pr + 0.28 THEN 'click'
         ELSE 'impression' END AS event_type
  FROM rated
)
SELECT (i + 1)::BIGINT AS event_id, customer_id, event_time, event_type,
  ${page} AS page,
  CASE WHEN (i + 1) % 5003 = 77 THEN NULL
       ELSE ${pick(`rnd(i, ${SALT.eventDevice})`, [
         ['desktop', 48],
         ['mobile', 44],
         ['tablet', 8],
       ])} END AS device
FROM typed
ORDER BY event_id`;
}
