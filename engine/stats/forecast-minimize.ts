/**
 * Minimizing a smooth function on the unit box [0, 1]^k: a coarse grid for the start, then projected
 * BFGS with the analytic gradient (the role L-BFGS-B or SLSQP plays for statsmodels). Written here
 * because npm's optimizers lack bounds (`fmin`, whose Node build also fails to load as an ES module)
 * or gradients with bounds.
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

/** The best point of a coarse grid over [0, 1]^k (statsmodels' brute-force start). */
export function gridStart(f: (x: number[]) => number, k: number, grid: readonly number[] = [0.05, 0.3, 0.55, 0.8]): MinimizeResult {
  let x: number[] = new Array<number>(k).fill(grid[0]);
  let fx = Number.POSITIVE_INFINITY;
  let evaluations = 0;
  const idx = new Array<number>(k).fill(0);
  for (;;) {
    const p = idx.map((i) => grid[i]);
    const v = f(p);
    evaluations++;
    if (v < fx) [x, fx] = [p, v];
    let d = 0;
    while (d < k && ++idx[d] === grid.length) idx[d++] = 0;
    if (d === k) break;
  }
  return { x, fx, evaluations };
}

/**
 * Projected quasi-Newton (BFGS) on [0, 1]^k with an analytic gradient: variables on a bound whose
 * gradient pushes outward are held there, the step is projected back into the box, and an Armijo
 * backtracking line search keeps every step downhill. `fg` returns the value and the gradient.
 */
export function minimizeBoxGradient(fg: (x: number[]) => { f: number; g: number[] }, x0: readonly number[]): MinimizeResult {
  const k = x0.length;
  let x = clampBox(x0);
  let { f, g } = fg(x);
  let evaluations = 1;
  let H: number[][] | null = null;
  const identity = (scale: number) => Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => (i === j ? scale : 0)));
  for (let iter = 0; iter < 200; iter++) {
    const free = x.map((v, i) => !((v <= 0 && g[i] > 0) || (v >= 1 && g[i] < 0)));
    const gFree = g.map((v, i) => (free[i] ? v : 0));
    const gNorm = Math.sqrt(gFree.reduce((a, v) => a + v * v, 0));
    if (gNorm === 0) break;
    if (!H) H = identity(0.1 / gNorm);
    let d = H.map((row, i) => (free[i] ? -row.reduce((a, h, j) => a + h * gFree[j], 0) : 0));
    let slope = d.reduce((a, v, i) => a + v * g[i], 0);
    if (!(slope < 0)) {
      H = identity(0.1 / gNorm);
      d = gFree.map((v) => (-0.1 * v) / gNorm);
      slope = d.reduce((a, v, i) => a + v * g[i], 0);
    }
    let t = 1;
    let next: { f: number; g: number[] } | null = null;
    let xNew = x;
    for (let ls = 0; ls < 40; ls++) {
      xNew = clampBox(x.map((v, i) => v + t * d[i]));
      const moved = xNew.reduce((a, v, i) => a + g[i] * (v - x[i]), 0);
      const r = fg(xNew);
      evaluations++;
      if (r.f <= f + 1e-4 * Math.min(moved, 0) && r.f <= f) {
        next = r;
        break;
      }
      t /= 2;
    }
    if (!next) break;
    const s = xNew.map((v, i) => v - x[i]);
    const yv = next.g.map((v, i) => v - g[i]);
    const sy = s.reduce((a, v, i) => a + v * yv[i], 0);
    const step = Math.max(...s.map(Math.abs));
    const drop = f - next.f;
    x = xNew;
    f = next.f;
    g = next.g;
    if (step < 1e-12 || drop <= 1e-16 * Math.abs(f)) break;
    if (sy > 1e-300) {
      // BFGS update of the inverse Hessian: H ← (I − ρsyᵀ) H (I − ρysᵀ) + ρssᵀ.
      const rho = 1 / sy;
      const Hm: number[][] = H;
      const Hy: number[] = Hm.map((row) => row.reduce((a, h, j) => a + h * yv[j], 0));
      const yHy = yv.reduce((a, v, i) => a + v * Hy[i], 0);
      H = Hm.map((row, i) => row.map((h, j) => h - rho * (Hy[i] * s[j] + s[i] * Hy[j]) + (rho * rho * yHy + rho) * s[i] * s[j]));
    }
  }
  return { x, fx: f, evaluations };
}
