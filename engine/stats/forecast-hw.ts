/**
 * Holt–Winters with an additive trend and additive or multiplicative seasonality, as statsmodels'
 * `ExponentialSmoothing(trend='add', seasonal=..., initialization_method='simple')`: the same
 * initial states, the same recursion, and smoothing parameters fitted by minimizing the in-sample
 * sum of squared one-step errors under statsmodels' constraints (0 < α < 1, 0 ≤ β ≤ α, 0 ≤ γ ≤ 1 − α).
 */
import { gridStart, minimizeBoxGradient } from './forecast-minimize.js';

export type Seasonality = 'add' | 'mul';

export interface HoltWintersParams {
  /** Level smoothing α. */
  alpha: number;
  /** Trend smoothing β (statsmodels' `smoothing_trend`: b_t = β(ℓ_t − ℓ_{t−1}) + (1 − β)b_{t−1}). */
  beta: number;
  /** Seasonal smoothing γ. */
  gamma: number;
  level0: number;
  trend0: number;
  /** Seasonal states of the first period, in time order. */
  seasonal0: number[];
}

export interface HoltWintersState {
  /** One-step-ahead fitted values, one per observation. */
  fitted: Float64Array;
  sse: number;
  level: number;
  trend: number;
  /** Seasonal states by time index modulo the period (the one for time t is `season[t % m]`). */
  season: Float64Array;
  n: number;
}

/** statsmodels' lower bound of α (√machine epsilon). */
const LOWER = Math.sqrt(2 ** -52);

/** Initial states of "simple" initialization (Hyndman & Athanasopoulos §7.6; statsmodels' `_initialization_simple`). */
export function hwInitialStates(y: ArrayLike<number>, m: number, seasonal: Seasonality): Pick<HoltWintersParams, 'level0' | 'trend0' | 'seasonal0'> {
  if (y.length < 2 * m) throw new RangeError(`Holt-Winters needs two full seasons (${2 * m} values) to start; the series has ${y.length}`);
  let level0 = 0;
  for (let i = 0; i < m; i++) level0 += y[i];
  level0 /= m;
  let trend0 = 0;
  for (let i = m; i < 2 * m; i++) trend0 += (y[i] - y[i - m]) / m;
  trend0 /= m;
  const seasonal0: number[] = [];
  for (let i = 0; i < m; i++) seasonal0.push(seasonal === 'add' ? y[i] - level0 : y[i] / level0);
  return { level0, trend0, seasonal0 };
}

/** Runs the recursion over y with the given parameters. */
export function hwFilter(y: ArrayLike<number>, m: number, seasonal: Seasonality, p: HoltWintersParams): HoltWintersState {
  const n = y.length;
  const { alpha, beta, gamma } = p;
  const fitted = new Float64Array(n);
  const season = Float64Array.from(p.seasonal0);
  let l = p.level0;
  let b = p.trend0;
  let sse = 0;
  const mul = seasonal === 'mul';
  for (let t = 0; t < n; t++) {
    const j = t % m;
    const s = season[j];
    const lb = l + b;
    const f = mul ? lb * s : lb + s;
    fitted[t] = f;
    const e = y[t] - f;
    sse += e * e;
    const yt = y[t];
    const lNew = mul ? (alpha * yt) / s + (1 - alpha) * lb : alpha * yt - alpha * s + (1 - alpha) * lb;
    b = beta * (lNew - l) + (1 - beta) * b;
    season[j] = mul ? (gamma * yt) / lb + (1 - gamma) * s : gamma * yt - gamma * lb + (1 - gamma) * s;
    l = lNew;
  }
  return { fitted, sse, level: l, trend: b, season, n };
}

/** The SSE of the recursion alone (the optimizer's objective): no arrays kept; `season` is scratch space of length m. */
function hwSse(y: Float64Array, mul: boolean, level0: number, trend0: number, seasonal0: Float64Array, alpha: number, beta: number, gamma: number, season: Float64Array): number {
  const m = seasonal0.length;
  season.set(seasonal0);
  let l = level0;
  let b = trend0;
  let sse = 0;
  let j = 0;
  for (let t = 0; t < y.length; t++) {
    const s = season[j];
    const lb = l + b;
    const yt = y[t];
    const e = yt - (mul ? lb * s : lb + s);
    sse += e * e;
    const lNew = mul ? (alpha * yt) / s + (1 - alpha) * lb : alpha * yt - alpha * s + (1 - alpha) * lb;
    b = beta * (lNew - l) + (1 - beta) * b;
    season[j] = mul ? (gamma * yt) / lb + (1 - gamma) * s : gamma * yt - gamma * lb + (1 - gamma) * s;
    l = lNew;
    if (++j === m) j = 0;
  }
  return sse;
}

/**
 * The SSE and its gradient in (α, β, γ), by forward-mode differentiation of the recursion: each
 * state carries its three partial derivatives. `work` is scratch space of length 4m.
 */
export function hwSseGrad(y: Float64Array, mul: boolean, level0: number, trend0: number, seasonal0: Float64Array, alpha: number, beta: number, gamma: number, work: Float64Array): number[] {
  const m = seasonal0.length;
  // work[4j] = s_j, work[4j + 1..3] = ∂s_j/∂(α, β, γ)
  for (let j = 0; j < m; j++) {
    work[4 * j] = seasonal0[j];
    work[4 * j + 1] = 0;
    work[4 * j + 2] = 0;
    work[4 * j + 3] = 0;
  }
  let l = level0;
  let b = trend0;
  let la = 0;
  let lB = 0;
  let lg = 0;
  let ba = 0;
  let bB = 0;
  let bg = 0;
  let sse = 0;
  let ga = 0;
  let gb = 0;
  let gg = 0;
  let j = 0;
  for (let t = 0; t < y.length; t++) {
    const o = 4 * j;
    const s = work[o];
    const sa = work[o + 1];
    const sB = work[o + 2];
    const sg = work[o + 3];
    const yt = y[t];
    const lb = l + b;
    const lba = la + ba;
    const lbB = lB + bB;
    const lbg = lg + bg;
    let e: number;
    let lNew: number;
    let lNa: number;
    let lNB: number;
    let lNg: number;
    let sNew: number;
    let sNa: number;
    let sNB: number;
    let sNg: number;
    if (mul) {
      e = yt - lb * s;
      const fa = lba * s + lb * sa;
      const fB = lbB * s + lb * sB;
      const fg = lbg * s + lb * sg;
      ga -= 2 * e * fa;
      gb -= 2 * e * fB;
      gg -= 2 * e * fg;
      const ys2 = (alpha * yt) / (s * s);
      lNew = (alpha * yt) / s + (1 - alpha) * lb;
      lNa = yt / s - lb - ys2 * sa + (1 - alpha) * lba;
      lNB = -ys2 * sB + (1 - alpha) * lbB;
      lNg = -ys2 * sg + (1 - alpha) * lbg;
      const yl2 = (gamma * yt) / (lb * lb);
      sNew = (gamma * yt) / lb + (1 - gamma) * s;
      sNa = -yl2 * lba + (1 - gamma) * sa;
      sNB = -yl2 * lbB + (1 - gamma) * sB;
      sNg = yt / lb - s - yl2 * lbg + (1 - gamma) * sg;
    } else {
      e = yt - (lb + s);
      ga -= 2 * e * (lba + sa);
      gb -= 2 * e * (lbB + sB);
      gg -= 2 * e * (lbg + sg);
      lNew = alpha * yt - alpha * s + (1 - alpha) * lb;
      lNa = yt - s - lb - alpha * sa + (1 - alpha) * lba;
      lNB = -alpha * sB + (1 - alpha) * lbB;
      lNg = -alpha * sg + (1 - alpha) * lbg;
      sNew = gamma * yt - gamma * lb + (1 - gamma) * s;
      sNa = -gamma * lba + (1 - gamma) * sa;
      sNB = -gamma * lbB + (1 - gamma) * sB;
      sNg = yt - lb - s - gamma * lbg + (1 - gamma) * sg;
    }
    sse += e * e;
    const bNew = beta * (lNew - l) + (1 - beta) * b;
    const bNa = beta * (lNa - la) + (1 - beta) * ba;
    const bNB = lNew - l - b + beta * (lNB - lB) + (1 - beta) * bB;
    const bNg = beta * (lNg - lg) + (1 - beta) * bg;
    work[o] = sNew;
    work[o + 1] = sNa;
    work[o + 2] = sNB;
    work[o + 3] = sNg;
    l = lNew;
    la = lNa;
    lB = lNB;
    lg = lNg;
    b = bNew;
    ba = bNa;
    bB = bNB;
    bg = bNg;
    if (++j === m) j = 0;
  }
  return [sse, ga, gb, gg];
}

/** Point forecasts 1..h steps after the last observation. */
export function hwForecast(state: HoltWintersState, seasonal: Seasonality, h: number): number[] {
  const m = state.season.length;
  const out: number[] = [];
  for (let k = 1; k <= h; k++) {
    const s = state.season[(state.n + k - 1) % m];
    const lb = state.level + k * state.trend;
    out.push(seasonal === 'mul' ? lb * s : lb + s);
  }
  return out;
}

/** statsmodels' `to_restricted`: the unit cube onto α ∈ [ε, 1 − ε], β ∈ [0, α], γ ∈ [0, 1 − α]. */
export function restrictSmoothing(u: readonly number[]): { alpha: number; beta: number; gamma: number } {
  const alpha = LOWER + u[0] * (1 - LOWER - LOWER);
  return { alpha, beta: u[1] * alpha, gamma: u[2] * (1 - alpha) };
}

export interface HoltWintersFit {
  params: HoltWintersParams;
  state: HoltWintersState;
  /** Objective evaluations the optimizer used. */
  evaluations: number;
}

/** The inverse of `restrictSmoothing`. */
export function unrestrictSmoothing(p: { alpha: number; beta: number; gamma: number }): number[] {
  const u0 = (p.alpha - LOWER) / (1 - LOWER - LOWER);
  return [u0, p.alpha > 0 ? p.beta / p.alpha : 0, p.alpha < 1 ? p.gamma / (1 - p.alpha) : 0];
}

/**
 * Fits α, β, γ by least squares, the initial states fixed by `hwInitialStates`. `start` (e.g. the fit
 * of a longer stretch of the same series) skips the grid search and starts the optimizer there.
 */
export function fitHoltWinters(y: ArrayLike<number>, m: number, seasonal: Seasonality, start?: { alpha: number; beta: number; gamma: number }): HoltWintersFit {
  if (!Number.isInteger(m) || m < 2) throw new RangeError(`the season length must be an integer of at least 2 (got ${m})`);
  if (seasonal === 'mul') {
    for (let i = 0; i < y.length; i++) if (!(y[i] > 0)) throw new RangeError(`multiplicative seasonality needs values above 0; value ${i + 1} is ${y[i]}`);
  }
  const init = hwInitialStates(y, m, seasonal);
  const ys = Float64Array.from(y);
  const s0 = Float64Array.from(init.seasonal0);
  const scratch = new Float64Array(m);
  const mul = seasonal === 'mul';
  const sseAt = (u: number[]): number => {
    const p = restrictSmoothing(u);
    const sse = hwSse(ys, mul, init.level0, init.trend0, s0, p.alpha, p.beta, p.gamma, scratch);
    return Number.isFinite(sse) ? sse : Number.MAX_VALUE;
  };
  const work = new Float64Array(4 * m);
  const span = 1 - LOWER - LOWER;
  // The gradient in the unit cube: α = L + u₀·span, β = u₁·α, γ = u₂·(1 − α).
  const fg = (u: number[]) => {
    const p = restrictSmoothing(u);
    const [sse, da, db, dg] = hwSseGrad(ys, mul, init.level0, init.trend0, s0, p.alpha, p.beta, p.gamma, work);
    if (!Number.isFinite(sse)) return { f: Number.MAX_VALUE, g: [0, 0, 0] };
    return { f: sse, g: [(da + db * u[1] - dg * u[2]) * span, db * p.alpha, dg * (1 - p.alpha)] };
  };
  const from = start ? { x: unrestrictSmoothing(start), evaluations: 0 } : gridStart(sseAt, 3);
  const best = minimizeBoxGradient(fg, from.x);
  best.evaluations += from.evaluations;
  const params = { ...init, ...restrictSmoothing(best.x) };
  return { params, state: hwFilter(y, m, seasonal, params), evaluations: best.evaluations };
}

/**
 * Variance multipliers of the h-step error, 1 + Σ_{j<h} c_j², for ETS(A,A,A) (Hyndman et al. 2008,
 * table 6.1 class 1) with c_j = α + αβ·j + γ·[j mod m = 0]. Exact for additive seasonality; used as
 * an approximation for multiplicative seasonality (statsmodels simulates there).
 */
export function hwVarianceFactors(p: Pick<HoltWintersParams, 'alpha' | 'beta' | 'gamma'>, m: number, h: number): number[] {
  const out: number[] = [];
  let acc = 1;
  for (let k = 1; k <= h; k++) {
    out.push(acc);
    const j = k;
    const c = p.alpha + p.alpha * p.beta * j + (j % m === 0 ? p.gamma : 0);
    acc += c * c;
  }
  return out;
}
