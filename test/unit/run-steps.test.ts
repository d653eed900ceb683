/**
 * The steps of a run (engine/exec: prepare, execute, store, render, manifest) tested directly,
 * without the built CLI.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { cellTypes } from '../../cells/index.js';
import { visualizationCell } from '../../cells/visualization.js';
import { cellSchema, type CellInfo, type CellType } from '../../engine/cell-type.js';
import { loadNotebook } from '../../engine/notebook/load.js';
import { resolveParams } from '../../engine/params/index.js';
import { YamlSource } from '../../engine/source/source.js';
import type { Logger } from '../../engine/util/log.js';
import type { CellRecord } from '../../engine/runs/runs.js';
import type { TableOutput } from '../../engine/outputs.js';
import { projectConfigSchema } from '../../engine/project.js';
import { runNotebook } from '../../engine/exec/run.js';
import { checkOutputKind } from '../../engine/exec/output-kind.js';
import { cellTitles, failRun, startManifest, statusOfCells, titleRenderer } from '../../engine/exec/manifest.js';
import { RunStore } from '../../engine/exec/store.js';
import { mainReport, renderRun } from '../../engine/exec/render.js';
import { fixtureProject } from '../helpers/cli.js';

const record = (id: string, status: CellRecord['status']): CellRecord => ({ id, type: 'query', title: null, status, duration_ms: 1, rows: null, error: null, skipped_reason: null, cache_hit: false });
const table: TableOutput = { kind: 'table', columns: [{ name: 'n', type: 'INTEGER' }], rows: [[1]], rowCount: 1 };
const quiet = (): Logger => ({ log: () => {} });

describe('run status and manifest', () => {
  const specs = [{ id: 'a' }, { id: 'b', on_error: 'continue' as const }];
  const live = new AbortController().signal;

  it('derives the status from the cells: stop failures fail, continue failures make it partial', () => {
    expect(statusOfCells(specs, [record('a', 'succeeded'), record('b', 'succeeded')], live)).toEqual({ status: 'succeeded', error: null });
    expect(statusOfCells(specs, [record('a', 'succeeded'), record('b', 'failed')], live)).toEqual({ status: 'partial', error: null });
    expect(statusOfCells(specs, [record('a', 'failed'), record('b', 'skipped')], live)).toEqual({ status: 'failed', error: null });
  });

  it('fails an interrupted run with the reason, whatever its cells did', () => {
    const ctl = new AbortController();
    ctl.abort('SIGTERM');
    expect(statusOfCells(specs, [record('a', 'succeeded'), record('b', 'succeeded')], ctl.signal)).toEqual({ status: 'failed', error: 'interrupted by SIGTERM' });
  });

  it('starts running with rendered titles; a broken title template stays as written', () => {
    const nb = loadNotebook(join(fixtureProject('run-steps'), 'notebook.yaml'), cellTypes);
    const params = resolveParams({ month: { type: 'month', default: '2026-03' } }, {}, { now: new Date('2026-04-01T00:00:00Z'), timezone: 'UTC' });
    const render = titleRenderer(params);
    expect(render('Review of {{ params.month }}')).toBe('Review of 2026-03');
    expect(render('Broken {{ params.month ')).toBe('Broken {{ params.month ');
    const manifest = startManifest({ nb, runId: 'r1', title: render(nb.top.title), params, startedAt: new Date('2026-04-01T00:00:00Z') });
    expect(manifest).toMatchObject({ id: 'r1', status: 'running', finished_at: null, error: null, cells: [], exports: {}, notebook: { id: 'notebook', path: 'notebook.yaml' } });
    expect(manifest.trigger.kind).toBe('api');
    expect(cellTitles(nb, render)).toEqual(
      new Map([
        ['numbers', null],
        ['total', null],
      ]),
    );
    failRun(manifest, 'because');
    expect(manifest).toMatchObject({ status: 'failed', error: 'because' });
  });
});

describe('output kind check', () => {
  const query = { type: 'query', outputKind: 'table' as const };
  const code = { type: 'code', outputKind: ['table', 'value'] as const };

  it('passes an output of a declared kind through', () => {
    expect(checkOutputKind(query, 'q', table)).toBe(table);
    expect(checkOutputKind(code, 'c', { kind: 'value', value: 3 })).toEqual({ kind: 'value', value: 3 });
  });

  it('rejects another kind, or no output, as a typed internal error naming the cell type', () => {
    const wrong = (() => {
      try {
        checkOutputKind(code, 'c', { kind: 'text', html: '' });
      } catch (err) {
        return err;
      }
    })();
    expect(wrong).toMatchObject({ code: 'E_OUTPUT_KIND', kind: 'unexpected', message: "cell c: cell type 'code' returned kind 'text', but declares outputKind 'table' or 'value'" });
    expect(() => checkOutputKind(query, 'q', undefined)).toThrow("cell type 'query' returned undefined");
    expect(() => checkOutputKind(query, 'q', { rows: [] })).toThrow("cell type 'query' returned an output without a kind");
  });

  it('fails the cell of a misbehaving cell type in a run; downstream cells are skipped', async () => {
    const liar: CellType = {
      type: 'liar',
      description: 'declares a table, returns text',
      schema: cellSchema('liar', {}),
      outputKind: 'table',
      analyze: async () => ({ references: [], errors: [] }),
      run: async () => ({ kind: 'text', html: '<p>not a table</p>' }),
    };
    const nb = loadNotebook(join(fixtureProject('run-steps'), 'liar.yaml'), [...cellTypes, liar]);
    const { manifest } = await runNotebook(nb, { cache: 'off', exports: [] });
    expect(manifest.status).toBe('failed');
    expect(manifest.cells.map((c) => [c.id, c.status])).toEqual([
      ['numbers', 'succeeded'],
      ['liar', 'failed'],
      ['after', 'skipped'],
    ]);
    const error = manifest.cells[1].error!;
    expect(error.code).toBe('E_OUTPUT_KIND');
    expect(error.message).toContain("cell type 'liar' returned kind 'text'");
  });
});

describe('visualization analysis', () => {
  it("learns the data cell's kind from the engine, not from the YAML", async () => {
    // The YAML holds no cells at all: only the map the engine hands over says what `words` is.
    const { source } = YamlSource.parse('nb.yaml', 'cells: []\n');
    const db = await DuckDBInstance.create(':memory:');
    const parser = await db.connect();
    const spec = visualizationCell.schema.parse({ id: 'chart', type: 'visualization', data: 'words', chart: 'bar', x: 'a', y: 'b' });
    const analyze = (cells: Map<string, CellInfo>) =>
      visualizationCell.analyze(spec, {
        parser,
        source,
        path: ['cells', 0],
        project: { root: process.cwd(), configPath: null, config: projectConfigSchema.parse({ database: ':memory:', metrics: [], runs_dir: 'runs', timezone: 'UTC', connections: {} }) },
        paramNames: [],
        cellIds: [...cells.keys()],
        cells,
        definitions: {},
      });
    try {
      const text = await analyze(
        new Map([
          ['words', { type: 'text', outputKinds: ['text'] }],
          ['chart', { type: 'visualization', outputKinds: ['chart'] }],
        ]),
      );
      expect(text.errors.map((e) => `${e.code}: ${e.message}`)).toEqual(["E_VIZ_DATA: cell chart plots 'words', a text cell, which yields no table"]);
      const code = await analyze(
        new Map([
          ['words', { type: 'code', outputKinds: ['table', 'value'] }],
          ['chart', { type: 'visualization', outputKinds: ['chart'] }],
        ]),
      );
      expect(code.errors).toEqual([]);
    } finally {
      parser.closeSync();
      db.closeSync();
    }
  });
});

describe('cache modes', () => {
  it('use reads and writes, refresh runs every cell but stores, off touches no cache', async () => {
    const dir = fixtureProject('run-steps');
    const nb = loadNotebook(join(dir, 'notebook.yaml'), cellTypes);
    const hits = async (cache: 'use' | 'refresh' | 'off') => (await runNotebook(nb, { cache, exports: [] })).manifest.cells.map((c) => c.cache_hit);
    expect(await hits('off')).toEqual([false, false]);
    expect(existsSync(join(dir, 'runs', '.cache'))).toBe(false);
    expect(await hits('use')).toEqual([false, false]);
    expect(await hits('use')).toEqual([true, true]);
    expect(await hits('refresh')).toEqual([false, false]);
    expect(await hits('off')).toEqual([false, false]);
    expect(await hits('use')).toEqual([true, true]);
  });
});

describe('storing and rendering', () => {
  it('remembers the first table that could not be saved and saves no more; the run fails, outputs.json still gets written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quire-store-'));
    writeFileSync(join(dir, 'tables'), 'a file where the tables folder goes');
    const store = new RunStore(dir, quiet());
    const keep = store.keeper();
    await keep('a', table);
    const first = store.error;
    expect(first?.message).toBeTruthy();
    await keep('b', table);
    expect(store.error).toBe(first);
    const nb = loadNotebook(join(fixtureProject('run-steps'), 'notebook.yaml'), cellTypes);
    const manifest = startManifest({ nb, runId: 'r', title: 'T', params: resolveParams({}, {}, { now: new Date(), timezone: 'UTC' }), startedAt: new Date() });
    manifest.status = 'succeeded';
    const saved = store.save(nb, new Map([['a', table]]), manifest, 'dark');
    const reason = `run outputs could not be saved: ${first!.message}`;
    expect(manifest).toMatchObject({ status: 'failed', error: reason });
    const stored = JSON.parse(readFileSync(join(dir, 'outputs.json'), 'utf8'));
    expect(stored).toEqual(saved);
    expect(stored).toMatchObject({ status: 'failed', error: reason, theme: 'dark', tables: {}, outputs: { a: table } });
  });

  it('renders the formats asked for and names the main report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quire-render-'));
    const nb = loadNotebook(join(fixtureProject('run-steps'), 'notebook.yaml'), cellTypes);
    const params = resolveParams({}, {}, { now: new Date(), timezone: 'UTC' });
    const manifest = startManifest({ nb, runId: 'r', title: 'T', params, startedAt: new Date() });
    const args = { nb, manifest, outputs: new Map([['numbers', table]]), stored: null, theme: 'light' as const, dir, runsDir: dir, logger: quiet() };
    expect(await renderRun({ ...args, opts: { exports: [], cache: 'off' } })).toEqual({ exports: {}, error: null });
    const html = await renderRun({ ...args, opts: { exports: ['html'], cache: 'off' } });
    expect(html).toEqual({ exports: { html: 'report.html' }, error: null });
    expect(mainReport(dir, html.exports)).toBe(join(dir, 'report.html'));
    expect(mainReport(dir, {})).toBeNull();
  });
});

describe('an internal error past the run folder', () => {
  it('ends the run failed with the reason instead of leaving run.json running', async () => {
    const dir = fixtureProject('run-steps');
    const result = await runNotebook(join(dir, 'notebook.yaml'), {
      cache: 'off',
      exports: [],
      onStart: () => {
        throw new Error('the caller broke');
      },
    });
    const onDisk = JSON.parse(readFileSync(join(result.dir, 'run.json'), 'utf8'));
    expect(onDisk).toMatchObject({ status: 'failed', error: 'run aborted by an internal error: the caller broke' });
    expect(onDisk.finished_at).not.toBeNull();
  });
});
