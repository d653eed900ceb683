import { END_DATE, SALT, lit } from './common.js';

/**
 * One subscription per paying customer (plan basic, premium or enterprise), started within three
 * weeks of signup. Tenure is exponential with a monthly churn of 4% (basic), 2.5% (premium) and
 * 1.2% (enterprise); ended_on stays NULL when the end would fall after the data range.
 * Prices rose on 2025-01-01 (basic 19 -> 29, premium 79 -> 99); enterprise pays 49 per seat.
 */
export function subscriptionsSql(): string {
  return `CREATE OR REPLACE TABLE subscriptions AS
WITH s AS (
  SELECT customer_id, plan,
    least(signup_date + floor(rnd(customer_id, ${SALT.subStart}) * 21)::INTEGER, DATE ${lit(END_DATE)}) AS started_on,
    CASE plan WHEN 'basic' THEN 0.04 WHEN 'premium' THEN 0.025 ELSE 0.012 END AS monthly_churn
  FROM demo_customers_base
  WHERE plan <> 'free'
), t AS (
  SELECT *,
    started_on + ceil(-ln(1 - rnd(customer_id, ${SALT.subChurn})) / monthly_churn * 30.44)::INTEGER AS end_day
  FROM s
)
SELECT
  row_number() OVER (ORDER BY customer_id)::INTEGER AS subscription_id,
  customer_id,
  plan,
  CASE plan
    WHEN 'basic' THEN CASE WHEN started_on < DATE '2025-01-01' THEN 19 ELSE 29 END
    WHEN 'premium' THEN CASE WHEN started_on < DATE '2025-01-01' THEN 79 ELSE 99 END
    ELSE 49 * (10 + floor(pow(rnd(customer_id, ${SALT.seats}), 2) * 190))
  END::DOUBLE AS mrr,
  started_on,
  CASE WHEN end_day <= DATE ${lit(END_DATE)} THEN end_day END AS ended_on
FROM t
ORDER BY subscription_id`;
}
