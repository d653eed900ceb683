import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadNotebook, runNotebook } from '../../engine/index.js';
import type { ExecEvent } from '../../engine/exec/executor.js';
import { TABLE_SCRIPT } from '../../engine/report/html/table-tools.js';
import { fixtureProject } from '../helpers/cli.js';

describe('running notebooks', () => {
  it('runs the conformance example with defaults and with params; the text quotes the table', async () => {
    const dir = fixtureProject('conformance');
    for (const params of [{}, { region: 'EU', month: '2025-12' }]) {
      const { manifest, reportPath, dir: runDir } = await runNotebook(join(dir, 'region-month.yaml'), { params, fromCli: true });
      expect(manifest.status).toBe('succeeded');
      expect(manifest.cells.map((c) => c.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
      expect(existsSync(join(runDir, 'run.log'))).toBe(true);
      const html = readFileSync(reportPath!, 'utf8');
      // the headline's number equals orders_in_month.n, checked against DuckDB directly below
      const m = /<strong>([\d,]+)<\/strong> completed orders in (\d{4}-\d{2})/.exec(html);
      expect(m).not.toBeNull();
      expect(m![2]).toBe(manifest.params.month);
      const { DuckDBInstance } = await import('@duckdb/node-api');
      const db = await DuckDBInstance.create(process.env.QUIRE_TEST_DB!, { access_mode: 'READ_ONLY' });
      const conn = await db.connect();
      const region = String(manifest.params.region);
      const r = await conn.runAndReadAll(
        `SELECT count(*)::INTEGER FROM orders WHERE order_date >= DATE '${manifest.params.month_start}' AND order_date < DATE '${manifest.params.month_end}' AND status = 'completed' AND ('${region}' = 'all' OR region = '${region}')`,
      );
      expect(Number(m![1].replace(/,/g, ''))).toBe(r.getRows()[0][0]);
      conn.closeSync();
      db.closeSync();
    }
  });

  it('starts independent cells together, each on its own connection', async () => {
    const dir = fixtureProject('concurrent');
    const events: ExecEvent[] = [];
    const { manifest } = await runNotebook(join(dir, 'notebook.yaml'), { onEvent: (e) => events.push(e) });
    expect(manifest.status).toBe('succeeded');
    const firstEnd = events.findIndex((e) => e.kind === 'end');
    const startedBefore = events
      .slice(0, firstEnd)
      .filter((e) => e.kind === 'start')
      .map((e) => e.id);
    expect(startedBefore.sort()).toEqual(['events_by_type', 'lookup', 'scan']);
    const combinedStart = events.findIndex((e) => e.kind === 'start' && e.id === 'combined');
    const ends = events.filter((e, i) => e.kind === 'end' && i < combinedStart).map((e) => e.id);
    expect(ends.sort()).toEqual(['events_by_type', 'lookup', 'scan']);
  });

  it('on_error: stop (the default) fails the run and skips what had not started', async () => {
    const dir = fixtureProject('runtime-sql-error');
    const { manifest } = await runNotebook(join(dir, 'notebook.yaml'), { concurrency: 1 });
    expect(manifest.status).toBe('failed');
    expect(manifest.cells.find((c) => c.id === 'after')!.status).toBe('skipped');
  });

  it('a run folder appears with its run.json in it, and an existing one is never reused', async () => {
    const dir = fixtureProject('concurrent');
    const first = await runNotebook(join(dir, 'notebook.yaml'), { runId: 'fixed-id', cache: 'off' });
    expect(first.manifest.status).toBe('succeeded');
    const before = readFileSync(join(first.dir, 'run.json'), 'utf8');
    await expect(runNotebook(join(dir, 'notebook.yaml'), { runId: 'fixed-id', cache: 'off' })).rejects.toMatchObject({ code: 'E_RUNS_DIR' });
    expect(readFileSync(join(first.dir, 'run.json'), 'utf8')).toBe(before);
    // no half-made folders are left behind
    expect(readdirSync(join(first.dir, '..')).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('escapes data, titles and params in the report (no XSS), keeps unicode', async () => {
    const dir = fixtureProject('xss');
    const { manifest, reportPath } = await runNotebook(join(dir, 'notebook.yaml'));
    expect(manifest.status).toBe('succeeded');
    const html = readFileSync(reportPath!, 'utf8');
    expect(html).not.toMatch(/<script>alert/);
    expect(html).not.toMatch(/<img src=x/);
    expect(html).not.toMatch(/<b onclick/);
    expect(html).not.toContain('javascript:alert');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('Zürich — 東京 — 🎉');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    // no script but Quire's own table script
    expect(html.replace(`<script>${TABLE_SCRIPT}</script>`, '')).not.toMatch(/<script[\s>]/i);
  });

  it('loadNotebook keeps the parsed notebook for programs', () => {
    const nb = loadNotebook(join(fixtureProject('conformance'), 'region-month.yaml'));
    expect(nb.id).toBe('region-month');
    expect(nb.cells.map((c) => c.spec.id)).toEqual(['headline', 'orders_in_month', 'by_channel']);
    expect(nb.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});
