// The two-sample comparisons of an experiment readout, on sufficient statistics only (counts,
// means, sample variances and covariances per variant). Each returns the treatment − control
// difference with its interval and two-sided p-value; test/unit/experiment-stats.test.ts checks
// them against scipy/statsmodels (test/fixtures/experiment-reference/).
import { logBeta, normalCdf, normalQuantile, normalTwoSided, tQuantile, tTwoSided } from './distributions.js';

/** One variant's moments of a per-unit value: n units, mean, sample variance (n − 1). */
export interface Moments {
  n: number;
  mean: number;
  variance: number;
}

/** One variant's moments of a per-unit pair (y, x): a ratio's numerator/denominator or a metric and its pre-period covariate. */
export interface PairMoments {
  n: number;
  meanY: number;
  varY: number;
  meanX: number;
  varX: number;
  /** Sample covariance (n − 1). */
  covXY: number;
}

export interface Counts {
  n: number;
  successes: number;
}

/** A difference (treatment − control) with its interval and two-sided p-value. */
export interface Comparison {
  diff: number;
  /** Standard error of diff (for the sequential test and the scorecard). */
  se: number;
  ciLow: number;
  ciHigh: number;
  pValue: number;
}

function interval(diff: number, halfWidth: number): Pick<Comparison, 'ciLow' | 'ciHigh'> {
  return { ciLow: diff - halfWidth, ciHigh: diff + halfWidth };
}

/** Welch's unequal-variance t-test (scipy `ttest_ind(equal_var=False)`, statsmodels `tconfint_diff(usevar='unequal')`). */
export function welch(control: Moments, treatment: Moments, alpha: number): Comparison & { df: number } {
  const vc = control.variance / control.n;
  const vt = treatment.variance / treatment.n;
  const se = Math.sqrt(vc + vt);
  const df = (vc + vt) ** 2 / (vc ** 2 / (control.n - 1) + vt ** 2 / (treatment.n - 1));
  const diff = treatment.mean - control.mean;
  return { diff, se, df, pValue: tTwoSided(diff / se, df), ...interval(diff, tQuantile(1 - alpha / 2, df) * se) };
}

/**
 * Two-proportion z-test: the test on the pooled proportion (statsmodels `proportions_ztest`), the
 * interval Wald's on the unpooled variances (`confint_proportions_2indep(method='wald')`).
 */
export function twoProportion(control: Counts, treatment: Counts, alpha: number): Comparison {
  const pc = control.successes / control.n;
  const pt = treatment.successes / treatment.n;
  const pooled = (control.successes + treatment.successes) / (control.n + treatment.n);
  const seTest = Math.sqrt(pooled * (1 - pooled) * (1 / control.n + 1 / treatment.n));
  const se = Math.sqrt((pc * (1 - pc)) / control.n + (pt * (1 - pt)) / treatment.n);
  const diff = pt - pc;
  return { diff, se, pValue: normalTwoSided(diff / seTest), ...interval(diff, normalQuantile(1 - alpha / 2) * se) };
}

/** A ratio of sums Σy/Σx and the variance of it by the delta method (units are the independent draws). */
export function ratioOf(m: PairMoments): { value: number; variance: number } {
  const r = m.meanY / m.meanX;
  return { value: r, variance: (m.varY - 2 * r * m.covXY + r * r * m.varX) / (m.n * m.meanX * m.meanX) };
}

/** z-test of two ratios of sums, delta-method variances. */
export function deltaRatio(control: PairMoments, treatment: PairMoments, alpha: number): Comparison {
  const c = ratioOf(control);
  const t = ratioOf(treatment);
  const se = Math.sqrt(c.variance + t.variance);
  const diff = t.value - c.value;
  return { diff, se, pValue: normalTwoSided(diff / se), ...interval(diff, normalQuantile(1 - alpha / 2) * se) };
}

/** Moments of every unit of several groups together (the parallel-axis combination). */
export function pooledPairMoments(groups: readonly PairMoments[]): PairMoments {
  const n = groups.reduce((s, g) => s + g.n, 0);
  const meanY = groups.reduce((s, g) => s + g.n * g.meanY, 0) / n;
  const meanX = groups.reduce((s, g) => s + g.n * g.meanX, 0) / n;
  const sum = (f: (g: PairMoments) => number) => groups.reduce((s, g) => s + f(g), 0) / (n - 1);
  return {
    n,
    meanY,
    meanX,
    varY: sum((g) => (g.n - 1) * g.varY + g.n * (g.meanY - meanY) ** 2),
    varX: sum((g) => (g.n - 1) * g.varX + g.n * (g.meanX - meanX) ** 2),
    covXY: sum((g) => (g.n - 1) * g.covXY + g.n * (g.meanY - meanY) * (g.meanX - meanX)),
  };
}

/**
 * CUPED: y − θ(x − x̄) with θ = cov(y, x) / var(x) over every unit of the experiment, x̄ its grand
 * mean; the adjusted means are then compared with Welch's t. Returns the adjusted moments too.
 */
export function cupedAdjust(groups: readonly PairMoments[]): { theta: number; adjusted: Moments[] } {
  const all = pooledPairMoments(groups);
  const theta = all.covXY / all.varX;
  return {
    theta,
    adjusted: groups.map((g) => ({ n: g.n, mean: g.meanY - theta * (g.meanX - all.meanX), variance: g.varY - 2 * theta * g.covXY + theta * theta * g.varX })),
  };
}

/** Largest number of terms summed exactly for the probability to beat control; beyond it, a normal approximation. */
const EXACT_TERMS = 1_000_000;

/**
 * Bayesian beta-binomial: P(p_treatment > p_control) under Beta(prior + successes, prior + failures)
 * posteriors — the exact sum over the smaller integer shape (Evan Miller's closed form; shapes are
 * integers with the default uniform prior), else a normal approximation when counts are huge.
 */
export function probabilityToBeat(control: Counts, treatment: Counts, prior: { a: number; b: number } = { a: 1, b: 1 }): number {
  const aC = prior.a + control.successes;
  const bC = prior.b + control.n - control.successes;
  const aT = prior.a + treatment.successes;
  const bT = prior.b + treatment.n - treatment.successes;
  const integral = Number.isInteger(aT) && Number.isInteger(aC);
  if (integral && Math.min(aT, aC) <= EXACT_TERMS) {
    return aT <= aC ? betaGreater(aT, bT, aC, bC) : 1 - betaGreater(aC, bC, aT, bT);
  }
  const mean = (a: number, b: number) => a / (a + b);
  const variance = (a: number, b: number) => (a * b) / ((a + b) ** 2 * (a + b + 1));
  return normalCdf((mean(aT, bT) - mean(aC, bC)) / Math.sqrt(variance(aT, bT) + variance(aC, bC)));
}

/** P(X > Y) for X ~ Beta(aX, bX) with integer aX, Y ~ Beta(aY, bY). */
function betaGreater(aX: number, bX: number, aY: number, bY: number): number {
  let total = 0;
  const base = logBeta(aY, bY);
  for (let i = 0; i < aX; i++) total += Math.exp(logBeta(aY + i, bY + bX) - Math.log(bX + i) - logBeta(1 + i, bX) - base);
  return total;
}

/** The normal approximation of the posterior difference's equal-tailed credible interval. */
export function credibleInterval(control: Counts, treatment: Counts, alpha: number, prior: { a: number; b: number } = { a: 1, b: 1 }): Comparison {
  const post = (c: Counts) => {
    const a = prior.a + c.successes;
    const b = prior.b + c.n - c.successes;
    return { mean: a / (a + b), variance: (a * b) / ((a + b) ** 2 * (a + b + 1)) };
  };
  const c = post(control);
  const t = post(treatment);
  const diff = t.mean - c.mean;
  const se = Math.sqrt(c.variance + t.variance);
  return { diff, se, pValue: normalTwoSided(diff / se), ...interval(diff, normalQuantile(1 - alpha / 2) * se) };
}

/**
 * mSPRT with a normal mixture (Johari, Pekelis & Walsh, "Always valid inference"): the always-valid
 * p-value min(1, 1/Λ) of an estimate `diff` with variance `v` under a N(0, τ²) mixture, and the
 * matching confidence sequence. Valid however often the experiment is looked at.
 */
export function msprt(diff: number, v: number, tau: number, alpha: number): Comparison {
  const t2 = tau * tau;
  const logLambda = 0.5 * Math.log(v / (v + t2)) + (t2 * diff * diff) / (2 * v * (v + t2));
  const half = Math.sqrt(((v * (v + t2)) / t2) * (Math.log((v + t2) / v) - 2 * Math.log(alpha)));
  return { diff, se: Math.sqrt(v), pValue: Math.min(1, Math.exp(-logLambda)), ...interval(diff, half) };
}
