import type { Command } from 'commander';
import { UserError } from '../util/errors.js';
import { DEFAULT_ORDERS, MAX_ORDERS, buildDemoData } from '../demo/demo-data.js';
import { loadDemoIntoPostgres } from '../demo/postgres.js';

export const DEFAULT_DEMO_OUT = 'data/warehouse.duckdb';

/** `--orders` as typed: digits only (1_000_000 and 1,000,000 are accepted too), 1..MAX_ORDERS. */
export function parseOrders(raw: string): number {
  const digits = raw.trim().replace(/[_,]/g, '');
  const n = /^[0-9]+$/.test(digits) ? Number(digits) : NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_ORDERS) {
    throw new UserError('E_BAD_ARGUMENT', `--orders must be a positive whole number up to ${MAX_ORDERS.toLocaleString('en-US')}, got "${raw}"`, {
      hint: `e.g. quire demo-data --orders ${DEFAULT_ORDERS}`,
    });
  }
  return n;
}

/** `quire demo-data [--orders N] [--out path | --postgres url [--schema name]] [--json]`: builds the deterministic demo warehouse. */
export function register(program: Command): void {
  program
    .command('demo-data')
    .description('build the deterministic demo DuckDB warehouse (customers, orders, subscriptions, events, tickets, experiments)')
    .option('--orders <n>', `number of orders (default ${DEFAULT_ORDERS.toLocaleString('en-US')})`)
    .option('--out <path>', 'DuckDB file to write', DEFAULT_DEMO_OUT)
    .option('--postgres <url>', 'load it into PostgreSQL instead (postgres://user:password@host:5432/db; tables replaced in one transaction)')
    .option('--schema <name>', 'with --postgres: the schema the tables go into', 'public')
    .option('--json', 'print the summary as JSON (progress is not printed)')
    .action(async (opts: { orders?: string; out: string; postgres?: string; schema: string; json?: boolean }) => {
      const orders = opts.orders === undefined ? DEFAULT_ORDERS : parseOrders(opts.orders);
      const log = (line: string) => process.stderr.write(`${line}\n`);
      if (opts.postgres !== undefined) {
        const r = await loadDemoIntoPostgres({ url: opts.postgres, schema: opts.schema, orders, onProgress: opts.json ? undefined : (msg) => log(`  ${msg}`) });
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ postgres: r.target, schema: r.schema, orders: r.orders, tables: r.tables, seconds: r.ms / 1000 })}\n`);
          return;
        }
        const width = Math.max(...Object.keys(r.tables).map((t) => t.length));
        const lines = [`loaded the demo data into ${r.target}, schema ${r.schema}, in ${(r.ms / 1000).toFixed(1)} s`];
        for (const [table, rows] of Object.entries(r.tables)) lines.push(`  ${table.padEnd(width)}  ${rows.toLocaleString('en-US').padStart(12)} rows`);
        process.stdout.write(`${lines.join('\n')}\n`);
        return;
      }
      if (!opts.json) log(`building demo data: ${orders.toLocaleString('en-US')} orders -> ${opts.out}`);
      const result = await buildDemoData({
        out: opts.out,
        orders,
        onProgress: opts.json ? undefined : (msg) => log(`  ${msg}`),
      });
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ out: result.out, orders: result.orders, tables: result.tables, seconds: result.ms / 1000 })}\n`);
        return;
      }
      const width = Math.max(...Object.keys(result.tables).map((t) => t.length));
      const lines = [`wrote ${opts.out} in ${(result.ms / 1000).toFixed(1)} s`];
      for (const [table, rows] of Object.entries(result.tables)) {
        lines.push(`  ${table.padEnd(width)}  ${rows.toLocaleString('en-US').padStart(12)} rows`);
      }
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
