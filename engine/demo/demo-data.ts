/**
 * The deterministic demo dataset (contract: shared/spec/demo-data.md).
 *
 * Everything is generated inside DuckDB by CREATE TABLE AS SELECT over range(): every random
 * choice is a hash of (id, salt) mapped to [0, 1) (macro `rnd` in ./sql/common.ts), so the
 * same `orders` gives the same rows on every machine, run and thread count. The SQL lives in ./sql/, one small file per table.
 *
 * Sizes for N orders: customers max(500, N/8), events max(10,000, N/2), tickets max(500, N/40),
 * subscriptions = paying customers (~55%), experiment_assignments ~1.1 x customers.
 *
 * Dirty values, planted on purpose for data-quality reports (exact counts follow from the ids;
 * "k where id % m = r" means floor((count - r) / m) + 1 rows; in brackets: at the default
 * 200,000 orders, i.e. 25,000 customers and 100,000 events):
 *   customers.email NULL               customer_id % 1009 = 17     (25)
 *   customers.email duplicated         customer_id % 1009 = 500 has the email of customer_id - 1 (25)
 *   customers.region 'eu' (lowercase)  customer_id % 1019 = 3      (25; their orders say 'EU')
 *   orders.amount negative             order_id % 10007 = 4999     (20)
 *   orders.country_code NULL           order_id % 2003 = 101       (100)
 *   events.device NULL                 event_id % 5003 = 77        (20)
 * All well under 1% of their table. Legitimate NULLs besides: subscriptions.ended_on (active),
 * tickets.resolved_at (open).
 *
 * Other planted signals: anomalous days (ANOMALIES in ./sql/calendar.ts); experiment
 * 'checkout_button' raises purchase events of treatment customers by 15% and their orders by
 * ~14% per head; 'pricing_page_copy' changes nothing.
 */
import { existsSync, statSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { OperationalError, UserError } from '../util/errors.js';
import { macrosSql } from './sql/common.js';
import { calendarSql, type Sizes } from './sql/calendar.js';
import { customersBaseSql, customersSql } from './sql/customers.js';
import { experimentsSql } from './sql/experiments.js';
import { orderSlotsSql, ordersSql } from './sql/orders.js';
import { subscriptionsSql } from './sql/subscriptions.js';
import { eventSlotsSql, eventsSql } from './sql/events.js';
import { ticketSlotsSql, ticketsSql } from './sql/tickets.js';

export { ANOMALIES } from './sql/calendar.js';
export { EXPERIMENTS, START_DATE, END_DATE } from './sql/common.js';

export const DEFAULT_ORDERS = 200_000;
export const MAX_ORDERS = 100_000_000;
export const DEMO_TABLES = ['customers', 'orders', 'subscriptions', 'events', 'tickets', 'experiment_assignments'] as const;

export interface BuildDemoDataOptions {
  /** The DuckDB file to create (parent folders are created; an existing file is replaced at the end). */
  out: string;
  /** Number of orders; default 200,000. */
  orders?: number;
  onProgress?: (msg: string) => void;
  /** DuckDB threads; default all cores. The data does not depend on it (tests prove that). */
  threads?: number;
}

export interface BuildDemoDataResult {
  out: string;
  orders: number;
  tables: Record<string, number>;
  ms: number;
}

/** Row counts of the generated tables for `orders` orders. */
export function demoSizes(orders: number): Sizes {
  return {
    orders,
    customers: Math.max(500, Math.floor(orders / 8)),
    events: Math.max(10_000, Math.floor(orders / 2)),
    tickets: Math.max(500, Math.floor(orders / 40)),
  };
}

function checkOrders(orders: unknown): number {
  if (typeof orders !== 'number' || !Number.isSafeInteger(orders) || orders < 1 || orders > MAX_ORDERS) {
    throw new UserError('E_BAD_ARGUMENT', `orders must be a whole number from 1 to ${MAX_ORDERS.toLocaleString('en-US')}, got ${JSON.stringify(orders)}`, {
      hint: `e.g. ${DEFAULT_ORDERS} (the default)`,
    });
  }
  return orders;
}

/** The build, step by step: a label and its statements. Temp tables vanish with the session. */
function steps(sizes: Sizes): Array<{ label: string; table?: string; sql: string[] }> {
  return [
    { label: 'calendar', sql: [...macrosSql(), calendarSql(sizes)] },
    { label: 'customers (base)', sql: customersBaseSql() },
    { label: 'experiment_assignments', table: 'experiment_assignments', sql: [experimentsSql()] },
    { label: 'orders', table: 'orders', sql: [orderSlotsSql(), ordersSql(), 'DROP TABLE demo_order_slots'] },
    { label: 'subscriptions', table: 'subscriptions', sql: [subscriptionsSql()] },
    { label: 'customers', table: 'customers', sql: [customersSql()] },
    { label: 'events', table: 'events', sql: [eventSlotsSql(), eventsSql(), 'DROP TABLE demo_event_slots'] },
    { label: 'tickets', table: 'tickets', sql: [ticketSlotsSql(), ticketsSql(), 'DROP TABLE demo_ticket_slots'] },
  ];
}

async function removeDbFiles(path: string): Promise<void> {
  await rm(path, { force: true });
  await rm(`${path}.wal`, { force: true });
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * Builds the demo warehouse into `opts.out`. It writes `<out>.tmp-<pid>` and renames it at the
 * end, so a killed build never leaves a file that looks complete.
 *
 * @example
 * const r = await buildDemoData({ out: 'data/warehouse.duckdb', orders: 1_000_000 });
 * console.log(r.tables.orders, r.ms);
 */
export async function buildDemoData(opts: BuildDemoDataOptions): Promise<BuildDemoDataResult> {
  const t0 = performance.now();
  const orders = checkOrders(opts.orders ?? DEFAULT_ORDERS);
  if (typeof opts.out !== 'string' || opts.out.trim() === '') {
    throw new UserError('E_BAD_ARGUMENT', `the output path is empty`, { hint: 'give a file path, e.g. data/warehouse.duckdb' });
  }
  const out = resolve(opts.out);
  if (statSync(out, { throwIfNoEntry: false })?.isDirectory()) {
    throw new UserError('E_BAD_ARGUMENT', `the output path "${opts.out}" is a folder`, { hint: 'give a file path, e.g. data/warehouse.duckdb' });
  }
  const tmp = `${out}.tmp-${process.pid}`;
  const progress = opts.onProgress ?? (() => {});
  const sizes = demoSizes(orders);

  try {
    await mkdir(dirname(out), { recursive: true });
    await removeDbFiles(tmp);
  } catch (err) {
    throw new OperationalError('E_DEMO_DATA', `cannot write the demo data to "${opts.out}": ${(err as Error).message}`, {
      hint: 'choose a folder you can write to with --out',
      cause: err,
    });
  }

  const tables: Record<string, number> = {};
  let instance: DuckDBInstance | undefined;
  let conn: DuckDBConnection | undefined;
  try {
    instance = await DuckDBInstance.create(tmp, opts.threads ? { threads: String(opts.threads) } : {});
    conn = await instance.connect();
    for (const step of steps(sizes)) {
      const s = performance.now();
      for (const sql of step.sql) await conn.run(sql);
      let rows = '';
      if (step.table) {
        const r = await conn.runAndReadAll(`SELECT count(*) FROM ${step.table}`);
        tables[step.table] = Number(r.getRows()[0][0]);
        rows = `: ${tables[step.table].toLocaleString('en-US')} rows`;
      }
      progress(`${step.label}${rows} (${seconds(performance.now() - s)})`);
    }
    await conn.run('CHECKPOINT');
    conn.closeSync();
    instance.closeSync();
    conn = undefined;
    instance = undefined;
    await rm(`${tmp}.wal`, { force: true }); // checkpointed above; nothing left in it
    await rm(`${out}.wal`, { force: true }); // an old WAL must never be replayed onto the new file
    await rename(tmp, out);
  } catch (err) {
    conn?.closeSync();
    instance?.closeSync();
    await removeDbFiles(tmp).catch(() => {});
    if (err instanceof UserError) throw err;
    throw new OperationalError('E_DEMO_DATA', `building the demo data failed: ${(err as Error).message}`, {
      hint: 'check the disk space and that the output folder is writable, then run again',
      cause: err,
    });
  }

  const ordered: Record<string, number> = {};
  for (const t of DEMO_TABLES) ordered[t] = tables[t];
  return { out, orders, tables: ordered, ms: performance.now() - t0 };
}

/** Builds the demo data with defaults when `path` does not exist. Returns whether it built. */
export async function ensureDemoData(path: string, onProgress?: (msg: string) => void): Promise<boolean> {
  if (existsSync(path)) return false;
  await buildDemoData({ out: path, onProgress });
  return true;
}
