// `quire stats sample-size` and `quire run` of an experiment notebook, through the built CLI.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixtureProject, quire } from '../helpers/cli.js';

const expected = JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/experiment-reference/expected.json'), 'utf8'));

describe('quire stats sample-size', () => {
  it('plans the issue’s example as statsmodels does, in words and in JSON', () => {
    const text = quire(['stats', 'sample-size', '--baseline', '0.10', '--mde', '0.02'], process.cwd());
    expect(text.code).toBe(0);
    const plan = expected.sample_size[0];
    const n = Math.ceil(plan.n);
    expect(text.stdout).toContain(`${n.toLocaleString('en-US')} units per variant, ${(2 * n).toLocaleString('en-US')} in all (2 variants)`);
    const json = quire(['stats', 'sample-size', '--baseline', '0.10', '--mde', '0.02', '--variants', '4', '--json'], process.cwd());
    expect(json.code).toBe(0);
    const four = expected.sample_size[3];
    expect(JSON.parse(json.stdout)).toMatchObject({ perVariant: Math.ceil(four.n), total: 4 * Math.ceil(four.n), variants: 4, alphaPerComparison: 0.05 / 3 });
  });

  it('rejects a rate outside (0, 1) with a typed error and no stack', () => {
    const r = quire(['stats', 'sample-size', '--baseline', '1.5', '--mde', '0.02'], process.cwd());
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('error[E_BAD_ARGUMENT]: --baseline 1.5: expected a rate between 0 and 1');
    expect(r.stderr).not.toContain('    at ');
  });
});

describe('quire run with an experiment cell', () => {
  it('succeeds and writes a report with the scorecard', () => {
    const dir = fixtureProject('experiment-reference');
    const r = quire(['run', 'notebook.yaml'], dir);
    expect(r.code, r.stderr).toBe(0);
    const report = /report:\s+(\S+)/.exec(r.stdout)![1];
    const html = readFileSync(join(dir, report), 'utf8');
    expect(existsSync(join(dir, report))).toBe(true);
    expect(html).toContain('class="qx-scorecard"');
    expect(html).toContain('clicks_per_session');
    expect(html).toContain('Sample ratio check: p = ');
  });
});
