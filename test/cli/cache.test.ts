import { describe, expect, it } from 'vitest';
import { appendFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runNotebook } from '../../engine/index.js';
import { fixtureProject, quire } from '../helpers/cli.js';

const hits = (m: { cells: { id: string; cache_hit: boolean }[] }) =>
  m.cells
    .filter((c) => c.cache_hit)
    .map((c) => c.id)
    .sort();
const ran = (m: { cells: { id: string; cache_hit: boolean }[] }) =>
  m.cells
    .filter((c) => !c.cache_hit)
    .map((c) => c.id)
    .sort();

describe('cell cache', () => {
  it('reuses every unchanged cell, reruns exactly the cells a changed param reaches, and says why', async () => {
    const dir = fixtureProject('cache');
    const nb = join(dir, 'notebook.yaml');
    const cold = await runNotebook(nb);
    expect(cold.manifest.status).toBe('succeeded');
    expect(hits(cold.manifest)).toEqual([]);
    const warm = await runNotebook(nb);
    expect(warm.manifest.status).toBe('succeeded');
    // dice calls random(): never cached; everything else comes from the cache
    expect(ran(warm.manifest)).toEqual(['dice']);
    // outputs are the same as the cold run's
    const out = (d: string) => JSON.parse(readFileSync(join(d, 'outputs.json'), 'utf8')).outputs;
    expect(out(warm.dir).ranked).toEqual(out(cold.dir).ranked);
    expect(out(warm.dir).notes).toEqual(out(cold.dir).notes);

    const eu = await runNotebook(nb, { params: { region: 'EU' }, fromCli: true });
    expect(ran(eu.manifest)).toEqual(['dice', 'month_orders', 'ranked', 'totals']);
    const log = readFileSync(join(eu.dir, 'run.log'), 'utf8');
    expect(log).toContain('month_orders (param region changed (all → EU))');
    expect(log).toContain('totals (upstream cell month_orders changed)');
    expect(out(eu.dir).ranked.rows.map((r: unknown[]) => r[0])).toEqual(['EU']);

    // a changed file read by SQL reruns the cell reading it
    appendFileSync(join(dir, 'data', 'targets.csv'), 'MARS,1\n');
    const file = await runNotebook(nb, { params: { region: 'EU' }, fromCli: true });
    expect(ran(file.manifest)).toEqual(['dice', 'targets']);

    // --no-cache runs everything
    const forced = await runNotebook(nb, { cache: 'refresh' });
    expect(hits(forced.manifest)).toEqual([]);
  });

  it('ignores a damaged entry with a warning, never trusting it', async () => {
    const dir = fixtureProject('cache');
    const nb = join(dir, 'notebook.yaml');
    await runNotebook(nb);
    const cellDir = join(dir, 'runs', '.cache', 'notebook', 'totals');
    const [key] = readdirSync(cellDir);
    writeFileSync(join(cellDir, key, 'table.parquet'), 'not parquet');
    const entryDir = join(dir, 'runs', '.cache', 'notebook', 'ranked');
    const [rkey] = readdirSync(entryDir);
    writeFileSync(join(entryDir, rkey, 'entry.json'), '{"truncated":');
    const again = await runNotebook(nb);
    expect(again.manifest.status).toBe('succeeded');
    expect(ran(again.manifest)).toEqual(['dice', 'ranked', 'totals']);
    const log = readFileSync(join(again.dir, 'run.log'), 'utf8');
    expect(log).toMatch(/WARN +cache entry of cell totals ignored, it is damaged \(table\.parquet/);
    expect(log).toMatch(/WARN +cache entry of cell ranked ignored, it is damaged \(unreadable entry\.json/);
    // rewritten: the next run trusts the fresh entries
    expect(ran((await runNotebook(nb)).manifest)).toEqual(['dice']);
  });

  it('quire plan shows params, levels and cache decisions without running; cache clear empties it; runs list ignores the cache', async () => {
    const dir = fixtureProject('cache');
    let r = quire(['plan', 'notebook.yaml', '-p', 'region=NA'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('region = NA');
    expect(r.stdout).toContain('month_start = 2025-06-01');
    expect(r.stdout).toMatch(/1\. month_orders, targets, signups, notes, dice/);
    expect(r.stdout).toMatch(/run +month_orders +not in the cache yet/);
    expect(r.stdout).toContain('0 of 7 cells from the cache');
    expect(readdirSync(dir)).not.toContain('runs');
    expect(quire(['run', 'notebook.yaml', '-p', 'region=NA'], dir).code).toBe(0);
    r = quire(['plan', 'notebook.yaml', '-p', 'region=EU', '--json'], dir);
    const plan = JSON.parse(r.stdout);
    expect(
      plan.cells
        .filter((c: { action: string }) => c.action === 'cache')
        .map((c: { id: string }) => c.id)
        .sort(),
    ).toEqual(['notes', 'signups', 'targets']);
    expect(plan.cells.find((c: { id: string }) => c.id === 'month_orders').reason).toBe('param region changed (NA → EU)');
    expect(JSON.parse(quire(['runs', 'list', '--json'], dir).stdout)).toHaveLength(1);
    r = quire(['cache', 'clear', 'nosuch'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      "error[E_NOTEBOOK_UNKNOWN]: no notebook or cached results named 'nosuch'\n  hint: notebooks with cached results: notebook; notebooks in this project: notebook. Give a notebook id or the path of its file, or `quire cache clear` without a notebook to clear them all\n",
    );
    expect(quire(['cache', 'clear', 'notebok'], dir).stderr).toContain("no notebook or cached results named 'notebok' — did you mean 'notebook'?");
    r = quire(['cache', 'clear'], dir);
    expect(r.stdout).toMatch(/removed 6 cached cell results/);
    r = quire(['cache', 'clear', 'notebook'], dir);
    expect([r.code, r.stdout]).toEqual([0, 'no cached cell results of notebook notebook to remove\n']);
    expect(JSON.parse(quire(['plan', 'notebook.yaml', '--json'], dir).stdout).cells.every((c: { action: string }) => c.action === 'run')).toBe(true);
  });
});
