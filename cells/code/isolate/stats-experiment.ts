/**
 * The experiment statistics in a code cell's `stats` (the experiment cell's own functions, from
 * engine/stats): each group is either its sufficient statistics or its per-unit values, and every
 * argument is checked (stats-args.ts). Documented in docs/notebook-format.md ("code").
 */
import { chiSquareSf, normalCdf, normalQuantileTails, normalTwoSided, tCdf, tQuantile, tTwoSided } from '../../../engine/stats/distributions.js';
import { adjustPValues, srmPValue } from '../../../engine/stats/experiment-corrections.js';
import { momentsOf } from '../../../engine/stats/experiment-moments.js';
import { proportionEffectSize, sampleSize, twoSampleZPower } from '../../../engine/stats/experiment-sample-size.js';
import { credibleInterval, cupedAdjust, deltaRatio, msprt, probabilityToBeat, ratioOf, twoProportion, welch } from '../../../engine/stats/experiment-tests.js';
import { alphaOf, countsArg, isValues, momentsArg, num, numbers, pairArg, priorArg, pValuesArg, rangeError, typeError } from './stats-args.js';

const fraction = { min: 0, max: 1, open: true };
const probability = { min: 0, max: 1 };
const positive = { min: 0, open: true };

function cuped(groups: unknown, alpha?: unknown) {
  if (!Array.isArray(groups) || groups.length < 2) typeError('cuped', 'takes an array of the groups, control first, at least 2');
  const pairs = groups.map((g, i) => pairArg('cuped', `groups[${i}]`, g));
  const a = alphaOf('cuped', alpha);
  const { theta, adjusted } = cupedAdjust(pairs);
  return { theta, adjusted, comparisons: adjusted.slice(1).map((t) => welch(adjusted[0], t, a)) };
}

function sampleSizeOf(input: unknown) {
  if (typeof input !== 'object' || input === null) typeError('sampleSize', 'takes { baseline, mde, alpha?, power?, variants? }');
  const o = input as Record<string, unknown>;
  const baseline = num('sampleSize', 'baseline', o.baseline, fraction);
  const mde = num('sampleSize', 'mde', o.mde);
  if (mde === 0 || !(baseline + mde > 0 && baseline + mde < 1)) rangeError('sampleSize', `baseline + mde must be a rate between 0 and 1 other than the baseline (got ${baseline + mde})`);
  const variants = o.variants === undefined ? 2 : num('sampleSize', 'variants', o.variants, { min: 2 });
  if (!Number.isInteger(variants)) rangeError('sampleSize', `variants is a whole number of arms, control included (got ${variants})`);
  return sampleSize({
    baseline,
    mde,
    alpha: alphaOf('sampleSize', o.alpha),
    power: o.power === undefined ? 0.8 : num('sampleSize', 'power', o.power, fraction),
    variants,
  });
}

export function makeExperimentStats() {
  return {
    // per-unit values → sufficient statistics
    moments: (values: unknown) => (isValues(values) ? momentsOf(numbers('moments', 'values', values)) : typeError('moments', 'takes an array of per-unit numbers')),
    pairMoments: (y: unknown, x: unknown) => pairArg('pairMoments', '{ y, x }', { y, x }),
    counts: (values: unknown) => (isValues(values) ? countsArg('counts', 'values', values) : typeError('counts', 'takes an array of per-unit 0/1 values')),
    // two-group comparisons, treatment − control
    welch: (control: unknown, treatment: unknown, alpha?: unknown) => welch(momentsArg('welch', 'control', control), momentsArg('welch', 'treatment', treatment), alphaOf('welch', alpha)),
    twoProportionZ: (control: unknown, treatment: unknown, alpha?: unknown) =>
      twoProportion(countsArg('twoProportionZ', 'control', control), countsArg('twoProportionZ', 'treatment', treatment), alphaOf('twoProportionZ', alpha)),
    ratio: (group: unknown) => ratioOf(pairArg('ratio', 'group', group)),
    deltaRatio: (control: unknown, treatment: unknown, alpha?: unknown) =>
      deltaRatio(pairArg('deltaRatio', 'control', control), pairArg('deltaRatio', 'treatment', treatment), alphaOf('deltaRatio', alpha)),
    cuped,
    probBeatControl: (control: unknown, treatment: unknown, prior?: unknown) =>
      probabilityToBeat(countsArg('probBeatControl', 'control', control), countsArg('probBeatControl', 'treatment', treatment), priorArg('probBeatControl', prior)),
    credibleInterval: (control: unknown, treatment: unknown, alpha?: unknown, prior?: unknown) =>
      credibleInterval(
        countsArg('credibleInterval', 'control', control),
        countsArg('credibleInterval', 'treatment', treatment),
        alphaOf('credibleInterval', alpha),
        priorArg('credibleInterval', prior),
      ),
    msprt: (diff: unknown, variance: unknown, tau: unknown, alpha?: unknown) =>
      msprt(num('msprt', 'diff', diff), num('msprt', 'variance', variance, positive), num('msprt', 'tau', tau, positive), alphaOf('msprt', alpha)),
    // several p-values at once
    holm: (pValues: unknown) => adjustPValues(pValuesArg('holm', pValues), 'holm'),
    bh: (pValues: unknown) => adjustPValues(pValuesArg('bh', pValues), 'bh'),
    srm: (counts: unknown, weights?: unknown) => {
      if (!isValues(counts) || counts.length < 2) typeError('srm', 'takes the units of each variant, at least 2 counts');
      const c = Array.from(counts, (x, i) => num('srm', `counts[${i}]`, x, { min: 0 }));
      if (weights === undefined) return srmPValue(c);
      if (!isValues(weights) || weights.length !== c.length) typeError('srm', `weights are the planned split, one per count (${c.length})`);
      return srmPValue(
        c,
        Array.from(weights, (w, i) => num('srm', `weights[${i}]`, w, positive)),
      );
    },
    // planning
    sampleSize: sampleSizeOf,
    cohenH: (p1: unknown, p2: unknown) => proportionEffectSize(num('cohenH', 'p1', p1, probability), num('cohenH', 'p2', p2, probability)),
    zTestPower: (h: unknown, n: unknown, alpha?: unknown) => twoSampleZPower(num('zTestPower', 'h', h), num('zTestPower', 'n', n, positive), alphaOf('zTestPower', alpha)),
    // distributions
    normalCdf: (z: unknown) => normalCdf(num('normalCdf', 'z', z)),
    normalQuantile: (p: unknown) => normalQuantileTails(num('normalQuantile', 'p', p, probability)),
    normalTwoSided: (z: unknown) => normalTwoSided(num('normalTwoSided', 'z', z)),
    tCdf: (t: unknown, df: unknown) => tCdf(num('tCdf', 't', t), num('tCdf', 'df', df, positive)),
    tQuantile: (p: unknown, df: unknown) => tQuantile(num('tQuantile', 'p', p, probability), num('tQuantile', 'df', df, positive)),
    tTwoSided: (t: unknown, df: unknown) => tTwoSided(num('tTwoSided', 't', t), num('tTwoSided', 'df', df, positive)),
    chiSquareSf: (x: unknown, k: unknown) => chiSquareSf(num('chiSquareSf', 'x', x, { min: 0 }), num('chiSquareSf', 'k', k, positive)),
  };
}
