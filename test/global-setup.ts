import { existsSync } from 'node:fs';
import { TEST_DB, TEST_DB_ORDERS } from './helpers/paths.js';
import { buildDemoData } from '../engine/demo/demo-data.js';

/** Builds the small demo warehouse every fixture project points at (once; it is deterministic). */
export default async function setup(): Promise<void> {
  if (!existsSync(TEST_DB)) await buildDemoData({ out: TEST_DB, orders: TEST_DB_ORDERS });
}
