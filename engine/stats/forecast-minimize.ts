/**
 * Nelder–Mead on the unit box [0, 1]^k: the objective is evaluated at the point clamped into the box,
 * so optima on a bound are reached exactly. Written here because npm's `fmin` (the usual pick) has no
 * bounds and its Node build does not load as an ES module.
 */
export interface MinimizeResult {
  x: number[];
  fx: number;
  evaluations: number;
}

const clamp01 = (v: number): number => Math.min(1, Math.max(0, v));

export function clampBox(x: readonly number[]): number[] {
  return x.map(clamp01);
}

/** One Nelder–Mead run from x0 (standard coefficients 1, 2, ½, ½); stops when the simplex is flat and small. */
function nelderMead(f: (x: number[]) => number, x0: readonly number[], step: number, maxIter: number, tol: number): MinimizeResult {
  const k = x0.length;
  const g = (x: number[]) => f(clampBox(x));
  let evaluations = 0;
  const ev = (x: number[]) => {
    evaluations++;
    return g(x);
  };
  const pts: number[][] = [x0.slice()];
  for (let i = 0; i < k; i++) {
    const p = x0.slice();
    p[i] = p[i] + step <= 1 ? p[i] + step : p[i] - step;
    pts.push(p);
  }
  let fs = pts.map(ev);
  for (let iter = 0; iter < maxIter; iter++) {
    const order = fs.map((_, i) => i).sort((a, b) => fs[a] - fs[b]);
    const sorted = order.map((i) => pts[i]);
    const sortedF = order.map((i) => fs[i]);
    pts.splice(0, pts.length, ...sorted);
    fs = sortedF;
    let spread = 0;
    for (let i = 1; i <= k; i++) for (let j = 0; j < k; j++) spread = Math.max(spread, Math.abs(pts[i][j] - pts[0][j]));
    if (Math.abs(fs[k] - fs[0]) <= tol * 1e-6 * Math.max(1, Math.abs(fs[0])) && spread < tol) break;
    const centroid = new Array<number>(k).fill(0);
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) centroid[j] += pts[i][j] / k;
    const along = (t: number) => centroid.map((c, j) => c + t * (pts[k][j] - c));
    const xr = along(-1);
    const fr = ev(xr);
    if (fr < fs[0]) {
      const xe = along(-2);
      const fe = ev(xe);
      if (fe < fr) [pts[k], fs[k]] = [xe, fe];
      else [pts[k], fs[k]] = [xr, fr];
    } else if (fr < fs[k - 1]) {
      [pts[k], fs[k]] = [xr, fr];
    } else {
      const xc = fr < fs[k] ? along(-0.5) : along(0.5);
      const fc = ev(xc);
      if (fc < Math.min(fr, fs[k])) [pts[k], fs[k]] = [xc, fc];
      else {
        for (let i = 1; i <= k; i++) {
          pts[i] = pts[i].map((v, j) => pts[0][j] + 0.5 * (v - pts[0][j]));
          fs[i] = ev(pts[i]);
        }
      }
    }
  }
  let best = 0;
  for (let i = 1; i <= k; i++) if (fs[i] < fs[best]) best = i;
  return { x: clampBox(pts[best]), fx: fs[best], evaluations };
}

/**
 * Minimizes f over [0, 1]^k: from `start` when given, else from the best point of a coarse grid (as
 * statsmodels' brute start does), then Nelder–Mead restarted from its own answer until a restart no
 * longer improves it.
 */
export function minimizeBox(f: (x: number[]) => number, k: number, start?: readonly number[]): MinimizeResult {
  const grid = [0.05, 0.3, 0.55, 0.8];
  let x: number[] = start ? clampBox(start) : new Array<number>(k).fill(grid[0]);
  let fx = start ? f(x) : Number.POSITIVE_INFINITY;
  let evaluations = start ? 1 : 0;
  const idx = new Array<number>(k).fill(0);
  while (!start) {
    const p = idx.map((i) => grid[i]);
    const v = f(p);
    evaluations++;
    if (v < fx) [x, fx] = [p, v];
    let d = 0;
    while (d < k && ++idx[d] === grid.length) idx[d++] = 0;
    if (d === k) break;
  }
  let step = start ? 0.01 : 0.1;
  for (let round = 0; round < 6; round++) {
    // A coarse first run, then tight ones from its answer: fewer evaluations than tight from the start.
    const r = nelderMead(f, x, step, 400 * k, round === 0 ? 1e-4 : 1e-7);
    evaluations += r.evaluations;
    const improved = r.fx < fx - 1e-12 * Math.max(1, Math.abs(fx));
    if (r.fx <= fx) [x, fx] = [r.x, r.fx];
    if (!improved && round > 0) break;
    step = 0.002;
  }
  return { x, fx, evaluations };
}
