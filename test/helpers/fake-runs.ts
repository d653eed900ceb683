import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunManifest } from '../../engine/runs/runs.js';

/** A finished run.json as `quire run` writes it (no outputs): for runs-index tests and benches. */
export function fakeManifest(notebook: string, i: number, over: Partial<RunManifest> = {}): RunManifest {
  const t = new Date(Date.UTC(2025, 0, 1) + i * 60_000);
  const stamp = t
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')
    .replace('T', '-');
  return {
    id: `${stamp}-${i.toString(16).padStart(6, '0')}`,
    notebook: { id: notebook, path: `notebooks/${notebook}.yaml`, sha256: 'f'.repeat(64) },
    title: `${notebook} ${i}`,
    params: { month: '2025-03', region: ['EU', 'NA', 'APAC'][i % 3] },
    param_types: { month: 'VARCHAR', region: 'VARCHAR' },
    status: i % 10 === 0 ? 'failed' : 'succeeded',
    started_at: t.toISOString(),
    finished_at: new Date(t.getTime() + 5000).toISOString(),
    error: null,
    trigger: { kind: 'cli', schedule: null, scheduled_for: null },
    cells: [],
    exports: { html: 'report.html' },
    log: 'run.log',
    started_by: ['ana', 'bo'][i % 2],
    ...over,
  };
}

/** Writes `count` run folders per notebook under runsDir; returns the manifests. */
export function writeFakeRuns(runsDir: string, notebooks: string[], count: number): RunManifest[] {
  const out: RunManifest[] = [];
  let i = 0;
  for (let n = 0; n < count; n++) {
    for (const nb of notebooks) {
      const m = fakeManifest(nb, i++);
      const dir = join(runsDir, nb, m.id);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'run.json'), JSON.stringify(m));
      out.push(m);
    }
  }
  return out;
}
