import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadNotebook, runNotebook } from '../../engine/index.js';
import { fixtureProject, quire } from '../helpers/cli.js';

const outputs = (dir: string) => JSON.parse(readFileSync(join(dir, 'outputs.json'), 'utf8'));
const log = (dir: string) => readFileSync(join(dir, 'run.log'), 'utf8');
const ran = (m: { cells: { id: string; cache_hit: boolean }[] }) =>
  m.cells
    .filter((c) => !c.cache_hit)
    .map((c) => c.id)
    .sort();

describe('warm reruns', () => {
  it('serve an unchanged notebook without starting DuckDB, linking the cached tables into the run folder', async () => {
    const dir = fixtureProject('warm-rerun');
    const nb = join(dir, 'notebook.yaml');
    const cold = await runNotebook(nb);
    expect(cold.manifest.status).toBe('succeeded');
    expect(log(cold.dir)).not.toContain('the run did not start DuckDB');

    const warm = await runNotebook(nb);
    expect(warm.manifest.status).toBe('succeeded');
    expect(ran(warm.manifest)).toEqual([]);
    expect(log(warm.dir)).toContain('the run did not start DuckDB');
    expect(outputs(warm.dir).outputs).toEqual(outputs(cold.dir).outputs);
    expect(outputs(warm.dir).tables).toEqual(outputs(cold.dir).tables);

    // the run folder's Parquet is the cache entry's file, hard-linked, not a second copy
    const entryDir = join(dir, 'runs', '.cache', 'notebook', 'month_orders');
    const [key] = readdirSync(entryDir);
    const cached = statSync(join(entryDir, key, 'table.parquet'));
    const inRun = statSync(join(warm.dir, 'tables', 'month_orders.parquet'));
    expect(inRun.ino).toBe(cached.ino);
    expect(inRun.size).toBe(cached.size);

    // the chart came from the chart memo and is in the report
    expect(readdirSync(join(dir, 'runs', '.cache', '.charts')).length).toBeGreaterThan(0);
    expect(readFileSync(join(warm.dir, 'report.html'), 'utf8')).toContain('<svg');

    // `quire export` of the warm run renders from its linked tables
    const exported = quire(['export', warm.manifest.id, '--format', 'xlsx'], dir);
    expect(exported.code, exported.stderr).toBe(0);
  });

  it('a changed param runs the cells it reaches on the cached tables of the others, with the same numbers as a cold run', async () => {
    const dir = fixtureProject('warm-rerun');
    const nb = join(dir, 'notebook.yaml');
    await runNotebook(nb);
    const eu = await runNotebook(nb, { params: { region: 'EU' }, fromCli: true });
    expect(eu.manifest.status).toBe('succeeded');
    // month_orders reads only $month: served from the cache, loaded into DuckDB for by_region
    expect(ran(eu.manifest)).toEqual(['big_next', 'by_region', 'region_chart', 'summary']);
    const fresh = await runNotebook(nb, { params: { region: 'EU' }, fromCli: true, cache: 'off' });
    expect(outputs(eu.dir).outputs.by_region).toEqual(outputs(fresh.dir).outputs.by_region);
    expect(outputs(eu.dir).outputs.summary).toEqual(outputs(fresh.dir).outputs.summary);
    expect(outputs(eu.dir).outputs.by_region.rows.map((r: unknown[]) => r[0])).toEqual(['EU']);
    // a HUGEINT past 2^53 comes back from the cache with every digit
    expect(outputs(eu.dir).outputs.big_next.rows).toEqual([['12345678901234567892', 'EU']]);
  });

  it('an edited notebook is analysed again: its errors are reported, never an old analysis', async () => {
    const dir = fixtureProject('warm-rerun');
    const nb = join(dir, 'notebook.yaml');
    expect((await runNotebook(nb)).manifest.status).toBe('succeeded');
    const text = readFileSync(nb, 'utf8');
    writeFileSync(nb, text.replace('GROUP BY region ORDER BY region', 'GROUP BY region ORDER BY'));
    const r = quire(['run', 'notebook.yaml'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/E_SQL_SYNTAX|syntax error/i);
    // a new dependency is seen too: the DAG is not the remembered one
    writeFileSync(nb, text.replace('FROM month_orders', 'FROM (SELECT * FROM month_orders WHERE amount > 0)'));
    const again = await runNotebook(nb);
    expect(again.manifest.status).toBe('succeeded');
    expect(ran(again.manifest)).toEqual(['by_region', 'region_chart', 'summary']);
  });

  it('a damaged chart memo is drawn again, never trusted', async () => {
    const dir = fixtureProject('warm-rerun');
    const nb = join(dir, 'notebook.yaml');
    await runNotebook(nb);
    const charts = join(dir, 'runs', '.cache', '.charts');
    for (const f of readdirSync(charts)) writeFileSync(join(charts, f), '{"key":');
    const warm = await runNotebook(nb);
    expect(warm.manifest.status).toBe('succeeded');
    const svg = /<svg[\s\S]*?<\/svg>/.exec(readFileSync(join(warm.dir, 'report.html'), 'utf8'))?.[0] ?? '';
    expect(svg).toMatch(/<path|<rect/);
    // and the memo holds the new drawing again
    for (const f of readdirSync(charts)) expect(JSON.parse(readFileSync(join(charts, f), 'utf8')).chart.svg).toMatch(/^<svg/);
  });

  it('a notebook loaded again in the same process reflects edits to it and to quire.yaml', () => {
    const dir = fixtureProject('warm-rerun');
    const nb = join(dir, 'notebook.yaml');
    const first = loadNotebook(nb);
    expect(loadNotebook(nb).top.title).toBe(first.top.title);
    writeFileSync(nb, readFileSync(nb, 'utf8').replace('title: "Warm rerun', 'title: "Edited rerun'));
    expect(loadNotebook(nb).top.title).toMatch(/^Edited rerun/);
    writeFileSync(join(dir, 'quire.yaml'), `${readFileSync(join(dir, 'quire.yaml'), 'utf8')}timezone: Europe/Prague\n`);
    expect(loadNotebook(nb).project.config.timezone).toBe('Europe/Prague');
  });
});
