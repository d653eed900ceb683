import { EXPERIMENTS, SALT, lit, pick, slotsFrom, slotsSql } from './common.js';

/** A control customer of checkout_button loses this share of their orders (after the start). */
export const CHECKOUT_ORDER_REDRAW = 0.13;

const ITEMS = [
  [1, 34],
  [2, 24],
  [3, 15],
  [4, 10],
  [5, 7],
  [6, 5],
  [7, 3],
  [8, 2],
] as const;

/** Order ids on their days; `p` orders the timestamps within a day. */
export function orderSlotsSql(): string {
  return slotsSql('demo_order_slots', 'o_lo', 'o_hi');
}

/**
 * Orders. The customer is picked among those who signed up by that day. From the
 * checkout_button start, an order that would go to a control customer is redrawn with
 * probability CHECKOUT_ORDER_REDRAW: treatment customers end up ordering ~14% more per head.
 * Mobile's share grows over time; the device follows the channel. `amount` is what was charged
 * (log-normal basket, bigger for business customers, after `discount`, which is money off);
 * discounts are twice as common in Nov-Dec.
 * Dirty rows: amount negated where order_id % 10007 = 4999, country_code NULL where
 * order_id % 2003 = 101.
 */
export function ordersSql(): string {
  const chk = EXPERIMENTS.checkout_button;
  const device = (channel: string) =>
    `CASE ${channel}
       WHEN 'mobile' THEN ${pick(`rnd(i, ${SALT.device})`, [
         ['mobile', 85],
         ['tablet', 15],
       ])}
       WHEN 'partner' THEN ${pick(`rnd(i, ${SALT.device})`, [
         ['desktop', 80],
         ['mobile', 15],
         ['tablet', 5],
       ])}
       ELSE ${pick(`rnd(i, ${SALT.device})`, [
         ['desktop', 70],
         ['mobile', 22],
         ['tablet', 8],
       ])} END`;
  return `CREATE OR REPLACE TABLE orders AS
WITH picked AS (
  SELECT *,
    CASE WHEN day >= DATE ${lit(chk.start)}
          AND in_experiment(c1, ${chk.member}, ${chk.share}) AND NOT is_treatment(c1, ${chk.variant})
          AND rnd(i, ${SALT.redraw}) < ${CHECKOUT_ORDER_REDRAW}
         THEN pick_customer(cust_upto, rnd(i, ${SALT.orderCustomer2})) ELSE c1 END AS cid
  FROM (SELECT *, pick_customer(cust_upto, rnd(i, ${SALT.orderCustomer})) AS c1 FROM ${slotsFrom('demo_order_slots', SALT.tod)})
), shaped AS (
  SELECT *,
    CASE WHEN rnd(i, ${SALT.channel}) < 0.12 THEN 'partner'
         WHEN rnd(i, ${SALT.channel}) < 0.42 + 0.05 * yrs THEN 'mobile' ELSE 'web' END AS channel,
    ${pick(`rnd(i, ${SALT.items})`, ITEMS)} AS items,
    CASE WHEN rnd(i, ${SALT.discount}) < CASE WHEN month(day) >= 11 THEN 0.44 ELSE 0.22 END
         THEN 0.05 * (1 + floor(rnd(i, ${SALT.discountRate}) * 4)) ELSE 0 END AS discount_rate
  FROM picked
), priced AS (
  SELECT *,
    exp(ln(30) + 0.55 * normal(i, ${SALT.amount})) * pow(items, 0.85) * (1 + 0.03 * yrs)
      * CASE cust_region(cid) WHEN 'NA' THEN 1.0 WHEN 'EU' THEN 0.95 WHEN 'APAC' THEN 0.9 ELSE 0.7 END
      * CASE cust_segment(cid) WHEN 'enterprise' THEN 2.5 WHEN 'smb' THEN 1.5 ELSE 1.0 END AS gross
  FROM shaped
)
SELECT
  (i + 1)::INTEGER AS order_id,
  cid AS customer_id,
  day AS order_date,
  make_timestamp(day_us + tod_seconds(p) * 1000000) AS ordered_at,
  cust_region(cid) AS region,
  CASE WHEN (i + 1) % 2003 = 101 THEN NULL ELSE cust_country(cid) END AS country_code,
  channel,
  ${device('channel')} AS device,
  ${pick(`rnd(i, ${SALT.status})`, [
    ['completed', 88],
    ['refunded', 7],
    ['cancelled', 5],
  ])} AS status,
  round((round(gross, 2) - round(gross * discount_rate, 2))
        * CASE WHEN (i + 1) % 10007 = 4999 THEN -1 ELSE 1 END, 2) AS amount,
  round(gross * discount_rate, 2) AS discount,
  items
FROM priced`;
}
