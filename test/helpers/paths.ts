import { join, resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '..', '..');
export const FIXTURES = join(REPO, 'test', 'fixtures');
/** Shared small demo warehouse (git-ignored); fixture projects' quire.yaml point at it. */
export const TEST_DB = join(REPO, 'test', '.data', 'warehouse.duckdb');
export const TEST_DB_ORDERS = 20_000;
export const BIN = join(REPO, 'bin', 'quire.js');
