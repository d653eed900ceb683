import { DAY_US, END_US, EXPERIMENTS, START_DATE, START_US, lit } from './common.js';

/**
 * Experiment assignments. Membership and variant are pure functions of the customer id
 * (in_experiment / is_treatment), so orders can apply the checkout_button effect without a join.
 * Customers who signed up before an experiment's start are assigned at their first visit, within
 * a week of the start; later ones on their signup day. 'checkout_button' has a real effect
 * (see orders.ts and events.ts); 'pricing_page_copy' has none.
 */
export function experimentsSql(): string {
  const one = (name: keyof typeof EXPERIMENTS) => {
    const e = EXPERIMENTS[name];
    const startUs = `(${START_US} + (DATE ${lit(e.start)} - DATE ${lit(START_DATE)})::BIGINT * ${DAY_US})`;
    const offset = (days: number) => `floor(rnd(customer_id, ${e.at}) * ${days * 86400})::BIGINT * 1000000`;
    return `SELECT customer_id, ${lit(name)} AS experiment,
    CASE WHEN is_treatment(customer_id, ${e.variant}) THEN 'treatment' ELSE 'control' END AS variant,
    make_timestamp(least(${END_US},
      CASE WHEN signup_date < DATE ${lit(e.start)} THEN ${startUs} + ${offset(7)}
           ELSE signup_us + ${offset(1)} END)) AS assigned_at
  FROM demo_customers_base
  WHERE in_experiment(customer_id, ${e.member}, ${e.share})`;
  };
  return `CREATE OR REPLACE TABLE experiment_assignments AS
SELECT * FROM (
  ${one('checkout_button')}
  UNION ALL
  ${one('pricing_page_copy')}
)
ORDER BY experiment, customer_id`;
}
