// Issue 14: a code cell's `stats.*` has the experiment statistics. Run inside the real isolate, they
// give the experiment cell's own numbers and the scipy/statsmodels references of
// test/fixtures/experiment-reference (make_reference.py → expected.json; the distribution functions
// against 40-digit mpmath values there), to 1e-9 relative; the
// sample size to 1e-6 (statsmodels' solve_power is itself an iterative root search). Bad arguments
// end the cell with an error naming the function and the argument.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runNotebook } from '../../engine/index.js';
import { EngineState } from '../../engine/util/state.js';
import { runInSandbox, SandboxError } from '../../cells/code/sandbox.js';
import { fixtureProject } from '../helpers/cli.js';

const expected = JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/experiment-reference/expected.json'), 'utf8'));

function near(actual: unknown, want: number | null, what: string, rel = 1e-9): void {
  if (want === null) {
    expect(actual, what).toBeNull();
    return;
  }
  expect(typeof actual, what).toBe('number');
  expect(Math.abs((actual as number) - want), `${what}: ${actual} vs ${want}`).toBeLessThanOrEqual(rel * Math.max(Math.abs(want), 1e-300));
}

const state = new EngineState();
afterAll(() => state.close());

/** `code` run in a code cell's isolate, with `params` in scope; its value, or the SandboxError. */
async function inIsolate(code: string, params: Record<string, unknown> = {}): Promise<unknown> {
  const out = await runInSandbox({ cellId: 'stats_check', code, params, inputs: [], timeoutMs: 20_000, memoryMb: 64, state });
  if (out.kind !== 'value') throw new Error('expected a value');
  return out.value;
}

describe('stats.* of code cells: the experiment statistics', () => {
  type Obj = Record<string, any>;
  let value: Obj;
  let readout: Obj[];
  beforeAll(async () => {
    const { manifest, dir } = await runNotebook(join(fixtureProject('experiment-reference'), 'code-stats.yaml'), { cache: 'off', exports: [], state });
    expect(manifest.cells.filter((c) => c.status !== 'succeeded').map((c) => `${c.id}: ${c.error?.message}`)).toEqual([]);
    const out = JSON.parse(readFileSync(join(dir, 'outputs.json'), 'utf8')).outputs;
    value = out.by_code.value;
    const t = out.readout.table;
    readout = t.rows.map((r: unknown[]) => Object.fromEntries(t.columns.map((c: Obj, i: number) => [c.name, r[i]])));
  });

  it('a code cell gives every comparison of the experiment cell and of scipy/statsmodels, from per-unit arrays', () => {
    const keys = Object.keys(expected.rows).filter((k) => !k.startsWith('control/'));
    expect(Object.keys(value.rows).sort()).toEqual(keys.sort());
    for (const key of keys) {
      const [variant, metric] = key.split('/');
      const cell = readout.find((r) => r.variant === variant && r.metric === metric)!;
      for (const col of ['diff', 'ci_low', 'ci_high', 'p_value']) {
        const got = value.rows[key][col];
        if (metric === 'conversion_bayes' && col === 'p_value') continue; // the cell shows P(beat) instead
        near(got, expected.rows[key][col], `${key} ${col} vs scipy/statsmodels`);
        near(got, cell[col], `${key} ${col} vs the experiment cell`);
      }
      if (metric === 'conversion_bayes') {
        near(value.rows[key].prob_beat_control, expected.rows[key].prob_beat_control, `${key} P(beat) vs mpmath`);
        near(value.rows[key].prob_beat_control, cell.prob_beat_control, `${key} P(beat) vs the experiment cell`);
      }
    }
    near(value.theta, expected.cuped_theta, 'CUPED theta');
    ['control', 'treatment_a', 'treatment_b'].forEach((v, i) => {
      near(value.adjusted_means[i], expected.rows[`${v}/revenue_cuped`].value, `${v} CUPED-adjusted mean`);
    });
  });

  it('Holm, Benjamini–Hochberg, the sample-ratio check and a plan match statsmodels/scipy', () => {
    expected.corrections.holm.forEach((p: number, i: number) => {
      near(value.holm[i], p, `holm ${i}`);
    });
    expected.corrections.bh.forEach((p: number, i: number) => {
      near(value.bh[i], p, `bh ${i}`);
    });
    const cellHolm = expected.corrections.order.map((k: string) => readout.find((r) => `${r.variant}/${r.metric}` === k)!.p_value_adjusted);
    cellHolm.forEach((p: number, i: number) => {
      near(value.holm[i], p, `holm ${i} vs the experiment cell`);
    });
    near(value.srm, expected.srm_p_value, 'srm');
    near(value.srm, readout[0].srm_p_value, 'srm vs the experiment cell');
    near(value.srm_weighted, expected.srm_weighted.p_value, 'srm weighted');
    const plan = expected.sample_size[0];
    near(value.plan.exact, plan.n, 'sample size (iterative reference)', 1e-6);
    near(value.plan.effectSize, plan.effect_size, "Cohen's h");
    expect([value.plan.perVariant, value.plan.total]).toEqual([Math.ceil(plan.n), 2 * Math.ceil(plan.n)]);
  });

  it('plain-number functions: corrections with ties and nulls, sample sizes, normal/t/chi-square functions', async () => {
    const got = (await inIsolate(
      `const d = params.dist;
       return {
         holm: stats.holm(params.p), bh: stats.bh(params.p), withNulls: stats.holm([null, 0.01, null, 0.04]),
         plans: params.plans.map((p) => stats.sampleSize(p)),
         power: params.plans.map((p) => stats.zTestPower(stats.cohenH(p.baseline + p.mde, p.baseline), stats.sampleSize(p).exact, p.alpha / (p.variants - 1))),
         normalCdf: d.normal_cdf.map(([z]) => stats.normalCdf(z)),
         normalTwoSided: d.normal_two_sided.map(([z]) => stats.normalTwoSided(z)),
         normalQuantile: d.normal_quantile.map(([p]) => stats.normalQuantile(p)),
         tCdf: d.t_cdf.map(([t, df]) => stats.tCdf(t, df)),
         tTwoSided: d.t_two_sided.map(([t, df]) => stats.tTwoSided(t, df)),
         tQuantile: d.t_quantile.map(([p, df]) => stats.tQuantile(p, df)),
         chiSquareSf: d.chi_square_sf.map(([x, k]) => stats.chiSquareSf(x, k)),
       }`,
      { p: expected.corrections_extra.p, plans: expected.sample_size, dist: expected.distributions },
    )) as Record<string, any>;
    expected.corrections_extra.holm.forEach((p: number, i: number) => {
      near(got.holm[i], p, `holm ${i}`);
    });
    expected.corrections_extra.bh.forEach((p: number, i: number) => {
      near(got.bh[i], p, `bh ${i}`);
    });
    expect(got.withNulls).toEqual([null, 0.02, null, 0.04]);
    expected.sample_size.forEach((plan: Record<string, number>, i: number) => {
      near(got.plans[i].exact, plan.n, `plan ${i} n (iterative reference)`, 1e-6);
      near(got.plans[i].effectSize, plan.effect_size, `plan ${i} h`);
      expect(got.plans[i].total).toBe(Math.ceil(plan.n) * plan.variants);
      near(got.power[i], plan.power, `plan ${i} power`);
    });
    const d = expected.distributions;
    const last = (row: number[]) => row[row.length - 1];
    for (const [name, key] of [
      ['normalCdf', 'normal_cdf'],
      ['normalTwoSided', 'normal_two_sided'],
      ['normalQuantile', 'normal_quantile'],
      ['tCdf', 't_cdf'],
      ['tTwoSided', 't_two_sided'],
      ['tQuantile', 't_quantile'],
      ['chiSquareSf', 'chi_square_sf'],
    ])
      d[key].forEach((row: number[], i: number) => {
        near(got[name][i], last(row), `${name}(${row.slice(0, -1).join(', ')})`);
      });
  });

  it('summary objects and per-unit arrays give the same results; typed arrays and missing values work', async () => {
    const got = (await inIsolate(`
      const y = [3, 5, 4, null, 8, 6], x = [1, 2, 2, 3, NaN, 2];
      const a = [10, 12, 9, 11, 14], b = new Float64Array([13, 15, 12, 16, 14, 17]);
      return {
        arrays: stats.welch(a, b), summaries: stats.welch(stats.moments(a), stats.moments(b)),
        moments: stats.moments(y), pair: stats.pairMoments(y, x),
        ratio: stats.ratio({ y, x }), ratioFromMoments: stats.ratio(stats.pairMoments(y, x)),
        counts: stats.counts([1, 0, true, false, null, 1]),
        z: stats.twoProportionZ([0, 1, 1, 0], { n: 4, successes: 3 }),
      }`)) as Record<string, any>;
    expect(got.arrays).toEqual(got.summaries);
    expect(got.moments).toEqual({ n: 5, mean: 5.2, variance: expect.closeTo(3.7, 12) });
    expect(got.pair).toMatchObject({ n: 4, meanY: 4.5, meanX: 1.75, varX: 0.25 });
    expect(got.pair.covXY).toBeCloseTo(0.5, 12);
    expect(got.ratio).toEqual(got.ratioFromMoments);
    expect(got.ratio.value).toBeCloseTo(18 / 7, 12);
    expect(got.counts).toEqual({ n: 5, successes: 3 });
    expect(got.z.diff).toBe(0.25);
  });

  it('refuses bad arguments with an error that names the function and the argument', async () => {
    const cases: [string, RegExp][] = [
      [
        'stats.welch({ n: 10, mean: 1, var: 2 }, { n: 10, mean: 1, variance: 2 })',
        /^TypeError: stats\.welch: control\.variance is missing: control is \{ n, mean, variance \} \(it has n, mean, var\)/,
      ],
      ['stats.welch([1, 2, 3], [4], 0.05)', /^RangeError: stats\.welch: treatment needs at least 2 units \(n = 1\)/],
      ['stats.welch([1, 2], [3, 4], 5)', /^RangeError: stats\.welch: alpha must be between 0 and 1, exclusive \(got 5\)/],
      ['stats.twoProportionZ([0, 1, 2], [0, 1])', /^RangeError: stats\.twoProportionZ: control: a proportion's values are 0 or 1 .*value 2 is 2/],
      ['stats.twoProportionZ({ n: 10, successes: 11 }, { n: 10, successes: 1 })', /successes must be a whole number from 0 to n = 10 \(got 11\)/],
      ["stats.moments([1, '2'])", /^TypeError: stats\.moments: values holds per-unit numbers; value 1 is '2'/],
      ['stats.holm([0.1, 1.5])', /^RangeError: stats\.holm: p-value 1 must be between 0 and 1 \(got 1\.5\)/],
      ['stats.msprt(0.1, 0, 0.05)', /^RangeError: stats\.msprt: variance must be greater than 0/],
      ['stats.sampleSize({ baseline: 0.1, mde: null })', /^TypeError: stats\.sampleSize: mde must be a finite number \(got null\)/],
      ['stats.sampleSize({ baseline: 0.95, mde: 0.1 })', /baseline \+ mde must be a rate between 0 and 1/],
      ['stats.cuped([{ y: [1, 2], x: [1] }, { y: [1, 2], x: [1, 2] }])', /^RangeError: stats\.cuped: groups\[0\]\.y has 2 values and groups\[0\]\.x 1/],
      ['stats.tQuantile(0.5, -1)', /^RangeError: stats\.tQuantile: df must be greater than 0/],
    ];
    for (const [code, message] of cases) {
      const err = await inIsolate(`return ${code}`).catch((e: unknown) => e);
      expect(err, code).toBeInstanceOf(SandboxError);
      const e = err as SandboxError;
      expect(`${e.info?.name}: ${e.message}`, code).toMatch(message);
    }
  });

  it('is frozen: a cell cannot replace a function for the cells after it', async () => {
    const got = await inIsolate(`'use strict'; try { stats.welch = () => 0; return 'replaced'; } catch (e) { return e.name; }`);
    expect(got).toBe('TypeError');
    expect(await inIsolate('return typeof stats.welch')).toBe('function');
  });
});
