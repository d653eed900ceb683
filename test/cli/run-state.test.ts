import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { clearCache, CACHE_DIR } from '../../engine/cache/index.js';
import { useTemplate } from '../../engine/templates/use.js';
import { quire } from '../helpers/cli.js';
import { createRunDir, findRun, listRuns, PROCESS_GONE, type DamagedRun, type RunManifest } from '../../engine/runs/runs.js';

function manifest(id: string, extra: Partial<RunManifest> = {}): RunManifest {
  return {
    id,
    notebook: { id: 'nb', path: 'nb.yaml', sha256: 'x' },
    title: 'T',
    params: {},
    param_types: {},
    status: 'succeeded',
    started_at: `2026-01-01T00:00:0${id.slice(-1)}Z`,
    finished_at: null,
    error: null,
    trigger: { kind: 'cli', schedule: null, scheduled_for: null },
    cells: [],
    exports: {},
    log: 'run.log',
    ...extra,
  };
}

function putRun(runsDir: string, id: string, content: unknown): string {
  const dir = join(runsDir, 'nb', id);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'run.json'), typeof content === 'string' ? content : JSON.stringify(content));
  return dir;
}

/** The pid of a process that has ended. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

describe('run folders: damaged or stale run.json', () => {
  it('lists the good runs and names each damaged run.json instead of failing or hiding it', () => {
    const runs = mkdtempSync(join(tmpdir(), 'quire-runs-'));
    putRun(runs, 'r1', manifest('r1'));
    putRun(runs, 'r2', { ...manifest('r2'), status: 42 });
    putRun(runs, 'r3', '{ not json');
    putRun(runs, 'r4', manifest('r4'));
    const damaged: DamagedRun[] = [];
    const listed = listRuns(runs, undefined, (d) => damaged.push(d));
    expect(listed.map((r) => r.manifest.id)).toEqual(['r4', 'r1']);
    expect(damaged.map((d) => d.dir.split('/').pop()).sort()).toEqual(['r2', 'r3']);
    expect(damaged.find((d) => d.dir.endsWith('r2'))!.problem).toMatch(/^status:/);
    expect(damaged.find((d) => d.dir.endsWith('r3'))!.problem).toMatch(/not valid JSON/);
    expect(findRun(runs, 'r4').manifest.id).toBe('r4');
  });

  it('shows and stores a run left running by a dead process as failed', () => {
    const runs = mkdtempSync(join(tmpdir(), 'quire-runs-'));
    const dir = putRun(runs, 'r1', manifest('r1', { status: 'running', process: { pid: deadPid(), host: hostname() } }));
    putRun(runs, 'r2', manifest('r2', { status: 'running', process: { pid: process.pid, host: hostname() } }));
    const byId = Object.fromEntries(listRuns(runs).map((r) => [r.manifest.id, r.manifest]));
    expect(byId.r1.status).toBe('failed');
    expect(byId.r1.error).toBe(PROCESS_GONE);
    expect(byId.r1.finished_at).not.toBeNull();
    expect(byId.r2.status).toBe('running');
    expect(JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')).status).toBe('failed');
  });

  it('quire runs list names a damaged run.json on stderr and lists the others', () => {
    const root = mkdtempSync(join(tmpdir(), 'quire-runs-'));
    writeFileSync(join(root, 'quire.yaml'), '');
    putRun(join(root, 'runs'), 'r1', manifest('r1'));
    putRun(join(root, 'runs'), 'r2', { ...manifest('r2'), cells: 'x' });
    putRun(join(root, 'runs'), 'r3', manifest('r3', { status: 'running', process: { pid: deadPid(), host: hostname() } }));
    const r = quire(['runs', 'list'], root);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^r3\s+failed/m);
    expect(r.stdout).toMatch(/^r1\s+succeeded/m);
    expect(r.stdout).not.toMatch(/^r2/m);
    expect(r.stderr).toContain(`warning: skipped ${join(root, 'runs', 'nb', 'r2', 'run.json')}: damaged (cells:`);
  });

  it('leaves a running run of another host alone', () => {
    const runs = mkdtempSync(join(tmpdir(), 'quire-runs-'));
    putRun(runs, 'r1', manifest('r1', { status: 'running', process: { pid: deadPid(), host: `not-${hostname()}` } }));
    expect(listRuns(runs)[0].manifest.status).toBe('running');
  });
});

describe('paths: nothing written or deleted outside the place Quire owns', () => {
  it('cache clear refuses a notebook id that climbs out of the cache folder', () => {
    const root = mkdtempSync(join(tmpdir(), 'quire-paths-'));
    const victim = join(root, 'victim');
    mkdirSync(victim);
    writeFileSync(join(victim, 'keep.txt'), 'x');
    const runsDir = join(root, 'a', 'runs');
    mkdirSync(join(runsDir, CACHE_DIR), { recursive: true });
    expect(() => clearCache(runsDir, '../../../victim')).toThrow(expect.objectContaining({ code: 'E_PATH_OUTSIDE' }));
    expect(existsSync(join(victim, 'keep.txt'))).toBe(true);
  });

  it('`quire cache clear ../../../victim` is refused with E_PATH_OUTSIDE', () => {
    const root = mkdtempSync(join(tmpdir(), 'quire-paths-'));
    mkdirSync(join(root, 'victim'));
    writeFileSync(join(root, 'victim', 'keep.txt'), 'x');
    mkdirSync(join(root, 'proj', 'runs', CACHE_DIR), { recursive: true });
    writeFileSync(join(root, 'proj', 'quire.yaml'), '');
    const r = quire(['cache', 'clear', '../../../victim'], join(root, 'proj'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error[E_PATH_OUTSIDE]');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(root, 'victim', 'keep.txt'))).toBe(true);
  });

  it('a run folder is made only inside the runs folder', () => {
    const root = mkdtempSync(join(tmpdir(), 'quire-paths-'));
    const runsDir = join(root, 'runs');
    expect(() => createRunDir(runsDir, 'nb', '../../escaped', manifest('r1'))).toThrow(expect.objectContaining({ code: 'E_PATH_OUTSIDE' }));
    expect(() => createRunDir(runsDir, '..', 'x', manifest('r1'))).toThrow(expect.objectContaining({ code: 'E_PATH_OUTSIDE' }));
    expect(existsSync(join(root, 'escaped'))).toBe(false);
  });

  it('templates use writes metric specs only inside the project', async () => {
    const root = mkdtempSync(join(tmpdir(), 'quire-paths-'));
    mkdirSync(join(root, 'proj'));
    writeFileSync(join(root, 'proj', 'quire.yaml'), 'metrics: [../outside]\n');
    await expect(useTemplate({ name: 'kpi-scorecard', cwd: join(root, 'proj'), target: 'nb.yaml' })).rejects.toMatchObject({ code: 'E_PATH_OUTSIDE' });
    expect(existsSync(join(root, 'outside'))).toBe(false);
    expect(existsSync(join(root, 'proj', 'nb.yaml'))).toBe(false);
  });
});
