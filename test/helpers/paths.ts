import { join, resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '..', '..');
export const FIXTURES = join(REPO, 'test', 'fixtures');
/** Shared small demo warehouse (git-ignored); fixture projects' quire.yaml point at it. */
export const TEST_DB = join(REPO, 'test', '.data', 'warehouse.duckdb');
export const TEST_DB_ORDERS = 20_000;
export const BIN = join(REPO, 'bin', 'quire.js');
/** The starter pack shipped in metrics/: a user's `quire templates use` adds files next to these, which tests must not see. */
export const STARTER_METRICS = ['customers', 'product', 'revenue', 'segments', 'slices', 'subscriptions', 'support'];
/** The demo notebooks shipped in notebooks/ (the same caveat). */
export const DEMO_NOTEBOOKS = ['monthly-review'];
