import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixtureProject } from '../helpers/cli.js';
import { REPO } from '../helpers/paths.js';

describe("library API: import { loadNotebook, runNotebook } from 'quire'", () => {
  it('works from a program by the package name', () => {
    const dir = fixtureProject('conformance');
    // A script inside the package resolves 'quire' through package.json "exports" (self-reference).
    const script = join(REPO, 'test', '.data', `api-${process.pid}.mjs`);
    writeFileSync(
      script,
      `import { loadNotebook, runNotebook, UserError } from 'quire';
       const nb = loadNotebook(${JSON.stringify(join(dir, 'region-month.yaml'))});
       const { manifest, reportPath } = await runNotebook(nb, { params: { region: 'APAC', month: '2026-03' } });
       let typed = false;
       try { loadNotebook('/nope.yaml'); } catch (e) { typed = e instanceof UserError && e.code === 'E_NOTEBOOK_MISSING'; }
       console.log(JSON.stringify({ id: nb.id, status: manifest.status, month: manifest.params.month, report: Boolean(reportPath), typed }));`,
    );
    const r = spawnSync(process.execPath, [script], { encoding: 'utf8', env: process.env });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ id: 'region-month', status: 'succeeded', month: '2026-03', report: true, typed: true });
  });
});
