import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixtureProject, manifests, quire } from '../helpers/cli.js';

describe('sweeps and reruns', () => {
  it('runs the cross-product, a few at a time, each in its own run folder, with a batch summary', () => {
    const dir = fixtureProject('sweep');
    const r = quire(['run', 'notebook.yaml', '--sweep', 'region=NA,EU', '--sweep', 'month=2025-05,2025-06', '--concurrency', '2', '--json'], dir);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.status).toBe('succeeded');
    expect(summary.members.map((m: { params: object }) => m.params)).toEqual([
      { region: 'NA', month: '2025-05' },
      { region: 'NA', month: '2025-06' },
      { region: 'EU', month: '2025-05' },
      { region: 'EU', month: '2025-06' },
    ]);
    expect(existsSync(summary.summary)).toBe(true);
    const runs = manifests(dir, 'notebook');
    expect(runs).toHaveLength(4);
    expect(new Set(runs.map((m) => m.id)).size).toBe(4);
    expect(runs.every((m) => m.trigger.kind === 'sweep' && m.status === 'succeeded')).toBe(true);
    const eu = runs.find((m) => m.params.region === 'EU' && m.params.month === '2025-06')!;
    expect(eu.title).toBe('Sweep EU 2025-06');
    expect(eu.params.month_start).toBe('2025-06-01');
  });

  it('a failing member does not stop the others; the exit code says one failed', () => {
    const dir = fixtureProject('sweep');
    const r = quire(['run', 'notebook.yaml', '--sweep', 'region=NA,EU,APAC', '-p', 'fail_on=EU', '--concurrency', '2'], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/sweep of 3 runs: failed/);
    const runs = manifests(dir, 'notebook');
    expect(runs.map((m) => `${m.params.region}:${m.status}`).sort()).toEqual(['APAC:succeeded', 'EU:failed', 'NA:succeeded']);
  });

  it('checks every swept name and value before any run starts', () => {
    const dir = fixtureProject('sweep');
    let r = quire(['run', 'notebook.yaml', '--sweep', 'regoin=NA,EU'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--sweep over unknown param "regoin"/);
    r = quire(['run', 'notebook.yaml', '--sweep', 'region=NA,Mars', '--sweep', 'month=2025-13'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--sweep region=Mars/);
    expect(r.stderr).toMatch(/--sweep month=2025-13/);
    expect(existsSync(join(dir, 'runs'))).toBe(false);
  });

  it('quire rerun reproduces a run from its resolved params, overriding only what is given', () => {
    const dir = fixtureProject('sweep');
    const first = JSON.parse(quire(['run', 'notebook.yaml', '-p', 'month=2025-05', '-p', 'region=EU', '--json'], dir).stdout);
    let r = quire(['rerun', first.id.slice(0, 20), '--json'], dir);
    expect(r.code).toBe(0);
    const again = JSON.parse(r.stdout);
    expect(again.trigger.kind).toBe('rerun');
    expect(again.rerun_of).toBe(first.id);
    expect(again.params).toEqual(first.params);
    expect(JSON.parse(readFileSync(join(again.dir, 'outputs.json'), 'utf8')).outputs.note).toEqual(JSON.parse(readFileSync(join(first.dir, 'outputs.json'), 'utf8')).outputs.note);
    r = quire(['rerun', first.id, '-p', 'region=NA', '--json'], dir);
    const na = JSON.parse(r.stdout);
    expect(na.params).toEqual({ ...first.params, region: 'NA' });
    r = quire(['rerun', first.id, '-p', 'region=Mars'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/param "region" expects one of/);
  });
});
