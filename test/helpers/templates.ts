/**
 * A project with every template used into it (as `quire templates use` does), on the
 * 20,000-order test warehouse, and what the template tests need around it: hand-written SQL on the
 * same data, and a run of a template with its outputs as objects.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { runNotebook } from '../../engine/index.js';
import { listTemplates, stageProject, useTemplate } from '../../engine/templates/index.js';

export const NOW = () => new Date('2026-11-21T12:00:00Z');
export type Obj = Record<string, any>;

let hand: DuckDBConnection;
let db: DuckDBInstance;
let projectDir: string;

/** Registers the project's set-up and clean-up in the calling test file. */
export function useTemplatesProject(): void {
  beforeAll(async () => {
    db = await DuckDBInstance.create(process.env.QUIRE_TEST_DB!, { access_mode: 'READ_ONLY' });
    hand = await db.connect();
    projectDir = mkdtempSync(join(tmpdir(), 'quire-templates-'));
    stageProject(projectDir, process.env.QUIRE_TEST_DB!);
    for (const t of listTemplates()) await useTemplate({ name: t.name, cwd: projectDir });
  });
  afterAll(() => {
    hand?.closeSync();
    db?.closeSync();
    if (projectDir) rmSync(projectDir, { recursive: true, force: true });
  });
}

/** The project folder (once set up). */
export const project = () => projectDir;

export async function sql(text: string, params: Record<string, unknown> = {}): Promise<Obj[]> {
  const reader = await hand.runAndReadAll(text, params as never);
  const names = reader.columnNames();
  return (reader.getRowsJson() as unknown[][]).map((r) => Object.fromEntries(names.map((n, i) => [n, typeof r[i] === 'string' && /^-?\d+(\.\d+)?$/.test(r[i] as string) ? Number(r[i]) : r[i]])));
}

export interface Ran {
  status: string;
  failed: string[];
  /** A table cell's preview rows as objects. */
  rows(id: string): Obj[];
  /** A text cell's HTML, tags stripped. */
  text(id: string): string;
}

export async function run(name: string, params: Record<string, unknown> = {}): Promise<Ran> {
  const { manifest, dir } = await runNotebook(join(projectDir, 'notebooks', `${name}.yaml`), { params, now: NOW, cache: 'off', exports: ['html'] });
  const outputs = JSON.parse(readFileSync(join(dir, 'outputs.json'), 'utf8')).outputs as Record<string, any>;
  return {
    status: manifest.status,
    failed: manifest.cells.filter((c) => c.status !== 'succeeded').map((c) => `${c.id}: ${c.error?.message ?? c.skipped_reason}`),
    rows(id) {
      const out = outputs[id];
      const table = out.kind === 'metrics' ? out.table : out;
      return table.rows.map((r: unknown[]) =>
        Object.fromEntries(table.columns.map((c: { name: string; type: string }, i: number) => [c.name, /INT|DECIMAL/.test(c.type) && typeof r[i] === 'string' ? Number(r[i]) : r[i]])),
      );
    },
    text(id) {
      return String(outputs[id].html)
        .replace(/<[^>]+>/g, '')
        .replace(/&#39;/g, "'")
        .replace(/&amp;/g, '&')
        .replace(/\s+/g, ' ');
    },
  };
}

export async function green(name: string, params: Record<string, unknown> = {}): Promise<Ran> {
  const r = await run(name, params);
  expect(r.failed, `${name} ${JSON.stringify(params)}`).toEqual([]);
  expect(r.status).toBe('succeeded');
  return r;
}

export const near = (a: number, b: number, tol = 1e-6) => expect(Math.abs(a - b), `${a} vs ${b}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b)));
