import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDemoData } from '../engine/demo/demo-data.js';

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export async function time<T>(fn: () => Promise<T>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/** A temp project with a demo warehouse of `orders` orders and quire.yaml pointing at it. */
export async function benchProject(orders: number): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'quire-bench-'));
  await buildDemoData({ out: join(dir, 'warehouse.duckdb'), orders });
  writeFileSync(join(dir, 'quire.yaml'), 'database: warehouse.duckdb\n');
  return dir;
}

export const ms = (x: number) => `${x.toFixed(0)} ms`;
export const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
