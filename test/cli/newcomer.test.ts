import { describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quire } from '../helpers/cli.js';
import { REPO } from '../helpers/paths.js';

/** What a newcomer meets first: the shipped project, `templates use`, `quire demo`. */
describe('a newcomer', () => {
  it("sees the demo notebook's own monthly schedule in `quire schedule list`, and no test fixture", () => {
    const r = quire(['schedule', 'list'], REPO);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('notebooks/monthly-review.yaml#monthly  cron "0 7 1 * *"  UTC');
    expect(r.stdout).not.toContain('test/');
    expect(r.stdout).not.toContain('example.com');
  });

  it('is told `npx quire run ...` by `templates use` when quire is not on PATH, `quire run ...` when it is', () => {
    const dir = mkdtempSync(join(tmpdir(), 'quire-newcomer-'));
    try {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: quire.yaml's ${VAR} environment substitution, not a JS template
      writeFileSync(join(dir, 'quire.yaml'), 'database: ${QUIRE_TEST_DB}\n');
      const bin = join(dir, 'bin');
      mkdirSync(bin);
      const without = quire(['templates', 'use', 'kpi-scorecard'], dir, { PATH: bin });
      expect(without.code).toBe(0);
      expect(without.stdout).toContain('\n  npx quire run notebooks/kpi-scorecard.yaml');
      expect(quire(['templates', 'show', 'kpi-scorecard'], dir, { PATH: bin }).stdout).toContain('use it:  npx quire templates use kpi-scorecard');

      writeFileSync(join(bin, 'quire'), '#!/bin/sh\n');
      chmodSync(join(bin, 'quire'), 0o755);
      const withIt = quire(['templates', 'use', 'kpi-scorecard', 'notebooks/again.yaml'], dir, { PATH: bin });
      expect(withIt.code).toBe(0);
      expect(withIt.stdout).toContain('\n  quire run notebooks/again.yaml');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("runs `quire demo` from another folder into that folder's runs/, not into the package", () => {
    const dir = mkdtempSync(join(tmpdir(), 'quire-demo-elsewhere-'));
    const packageRuns = join(REPO, 'runs', 'monthly-review');
    const before = existsSync(packageRuns) ? readdirSync(packageRuns) : [];
    try {
      const r = quire(['demo'], dir);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain(`its run goes to ${join(dir, 'runs')}`);
      expect(readdirSync(join(dir, 'runs', 'monthly-review'))).toHaveLength(1);
      expect(r.stdout).toMatch(/run folder: runs\/monthly-review\/\S+/);
      expect(existsSync(packageRuns) ? readdirSync(packageRuns) : []).toEqual(before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
