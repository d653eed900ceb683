import { END_DATE, SALT, lit, listLit, pick, slotsFrom, slotsSql } from './common.js';

const FIRST = [
  'Ava',
  'Liam',
  'Olivia',
  'Noah',
  'Emma',
  'Mateo',
  'Sofia',
  'Lucas',
  'Mia',
  'Hugo',
  'Yuki',
  'Aarav',
  'Chloe',
  'Leon',
  'Isabella',
  'Ethan',
  'Camila',
  'Finn',
  'Hana',
  'Omar',
  'Lea',
  'Diego',
  'Priya',
  'Jonas',
  'Valentina',
  'Arjun',
  'Emily',
  'Kenji',
  'Nora',
  'Gabriel',
  'Zoe',
  'Felix',
  'Lucia',
  'Ravi',
  'Alice',
  'Tomas',
  'Mei',
  'Oscar',
  'Sara',
  'Daniel',
];
const LAST = [
  'Smith',
  'Garcia',
  'Mueller',
  'Martin',
  'Rossi',
  'Tanaka',
  'Silva',
  'Kim',
  'Patel',
  'Nguyen',
  'Brown',
  'Lopez',
  'Schmidt',
  'Dubois',
  'Jansen',
  'Kowalski',
  'Andersson',
  'Sato',
  'Santos',
  'Singh',
  'Wilson',
  'Fernandez',
  'Weber',
  'Moreau',
  'Ricci',
  'Suzuki',
  'Costa',
  'Park',
  'Sharma',
  'Taylor',
  'Martinez',
  'Fischer',
  'Bernard',
  'Romano',
  'Watanabe',
  'Pereira',
  'Lee',
  'Gupta',
  'Clark',
  'Morales',
];
const PERSONAL_DOMAINS = ['gmail.com', 'outlook.com', 'yahoo.com', 'icloud.com', 'proton.me'];
const COMPANY_DOMAINS = [
  'acme.example',
  'globex.example',
  'initech.example',
  'umbrella.example',
  'hooli.example',
  'vandelay.example',
  'stark.example',
  'wayne.example',
  'tyrell.example',
  'cyberdyne.example',
  'soylent.example',
  'wonka.example',
];

const at = (list: readonly string[], u: string) => `${listLit(list)}[1 + floor(${u} * ${list.length})::INTEGER]`;

/** Email of customer `cid`: first.last<id>@domain (business segments use a company domain). */
function emailOf(cid: string): string {
  const domain = `CASE WHEN cust_segment(${cid}) = 'consumer' THEN ${at(PERSONAL_DOMAINS, `rnd(${cid}, ${SALT.domain})`)}
                      ELSE ${at(COMPANY_DOMAINS, `rnd(${cid}, ${SALT.domain})`)} END`;
  return `lower(${at(FIRST, `rnd(${cid}, ${SALT.first})`)} || '.' || ${at(LAST, `rnd(${cid}, ${SALT.last})`)}) || ${cid} || '@' || ${domain}`;
}

const PLAN_BY_SEGMENT = {
  consumer: [
    ['free', 55],
    ['basic', 30],
    ['premium', 15],
  ],
  smb: [
    ['free', 20],
    ['basic', 40],
    ['premium', 35],
    ['enterprise', 5],
  ],
  enterprise: [
    ['premium', 30],
    ['enterprise', 70],
  ],
} as const;

/**
 * Customers without the columns derived from orders and subscriptions (lifetime_value,
 * customer_status): ids are handed out in signup order, day by day, from the calendar.
 * Dirty rows: NULL email where id % 1009 = 17, the previous customer's email where
 * id % 1009 = 500, region 'eu' where id % 1019 = 3.
 */
export function customersBaseSql(): string[] {
  const plan = Object.entries(PLAN_BY_SEGMENT)
    .map(([seg, list]) => `WHEN ${lit(seg)} THEN ${pick(`rnd(customer_id, ${SALT.plan})`, list)}`)
    .join(' ');
  return [
    slotsSql('demo_customer_slots', 'c_lo', 'c_hi'),
    `CREATE OR REPLACE TEMP TABLE demo_customers_base AS
WITH ids AS (
  SELECT (i + 1)::INTEGER AS customer_id, day, day_us FROM ${slotsFrom('demo_customer_slots', 0)}
)
SELECT customer_id,
  ${at(FIRST, `rnd(customer_id, ${SALT.first})`)} || ' ' || ${at(LAST, `rnd(customer_id, ${SALT.last})`)} AS name,
  CASE WHEN customer_id % 1009 = 17 THEN NULL
       WHEN customer_id % 1009 = 500 THEN ${emailOf('(customer_id - 1)')}
       ELSE ${emailOf('customer_id')} END AS email,
  cust_country(customer_id) AS country_code,
  CASE WHEN customer_id % 1019 = 3 THEN 'eu' ELSE cust_region(customer_id) END AS region,
  cust_segment(customer_id) AS segment,
  CASE cust_segment(customer_id) ${plan} END AS plan,
  day AS signup_date,
  day_us AS signup_us
FROM ids`,
    'DROP TABLE demo_customer_slots',
  ];
}

/**
 * The final customers table: lifetime_value is the sum of the customer's completed orders
 * (summed as DECIMAL so it is exact whatever the thread count); a customer is churned when their
 * subscription ended, or, without one, when they ordered nothing in the last 180 days.
 */
export function customersSql(): string {
  return `CREATE OR REPLACE TABLE customers AS
WITH ord AS (
  SELECT customer_id,
         sum(amount::DECIMAL(18, 2)) FILTER (WHERE status = 'completed') AS ltv,
         max(order_date) AS last_order
  FROM orders GROUP BY customer_id
), sub AS (
  SELECT customer_id, bool_or(ended_on IS NULL) AS active FROM subscriptions GROUP BY customer_id
)
SELECT b.customer_id, b.name, b.email, b.country_code, b.region, b.segment, b.plan, b.signup_date,
  coalesce(ord.ltv, 0)::DOUBLE AS lifetime_value,
  CASE WHEN sub.customer_id IS NOT NULL THEN CASE WHEN sub.active THEN 'active' ELSE 'churned' END
       WHEN coalesce(ord.last_order, b.signup_date) < DATE ${lit(END_DATE)} - 180 THEN 'churned'
       ELSE 'active' END AS customer_status
FROM demo_customers_base b
LEFT JOIN ord USING (customer_id)
LEFT JOIN sub USING (customer_id)
ORDER BY b.customer_id`;
}
