/**
 * Spare in-memory DuckDB instances of finished read-only sessions, for the next session of this
 * process: starting DuckDB costs ~7 ms a run, which a long-lived process (the scheduler, a program
 * using the API) need not pay again. A spare is emptied before it is kept: no result tables,
 * nothing attached (see duck.ts). One-shot CLI commands turn this off.
 */
import type { DuckDBInstance } from '@duckdb/node-api';

const MAX_SPARE = 2;
/** `key` names the instance's fixed file-access settings (access.ts): a spare serves only a session asking for the same. */
const spare: { instance: DuckDBInstance; key: string }[] = [];
let enabled = true;

export function setInstanceReuse(on: boolean): void {
  enabled = on;
  if (!on) for (const { instance } of spare.splice(0)) instance.closeSync();
}

export function reuseEnabled(): boolean {
  return enabled;
}

export function takeSpare(key: string): DuckDBInstance | undefined {
  for (let i = spare.length - 1; i >= 0; i--) if (spare[i].key === key) return spare.splice(i, 1)[0].instance;
  return undefined;
}

/** Keeps an emptied instance; false when it is not wanted (then close it). */
export function keepSpare(instance: DuckDBInstance, key: string): boolean {
  if (!enabled || spare.length >= MAX_SPARE) return false;
  spare.push({ instance, key });
  return true;
}

/** Instances kept now (for tests). */
export function spareCount(): number {
  return spare.length;
}
