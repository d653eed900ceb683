// Multiple-comparison corrections of an experiment's p-values (statsmodels `multipletests`
// 'holm' and 'fdr_bh'); null p-values (control rows, Bayesian rows) are left out and stay null.
import { chiSquareSf } from './distributions.js';

export type Correction = 'none' | 'holm' | 'bh';

export function adjustPValues(pValues: readonly (number | null)[], method: Correction): (number | null)[] {
  if (method === 'none') return [...pValues];
  const idx = pValues.flatMap((p, i) => (p === null ? [] : [i])).sort((a, b) => pValues[a]! - pValues[b]!);
  const m = idx.length;
  const out: (number | null)[] = pValues.map(() => null);
  if (method === 'holm') {
    let running = 0;
    idx.forEach((i, rank) => {
      running = Math.max(running, Math.min(1, (m - rank) * pValues[i]!));
      out[i] = running;
    });
  } else {
    let running = 1;
    for (let rank = m - 1; rank >= 0; rank--) {
      const i = idx[rank];
      running = Math.min(running, (m / (rank + 1)) * pValues[i]!);
      out[i] = Math.min(1, running);
    }
  }
  return out;
}

/** Sample-ratio mismatch: Pearson's chi-square goodness of fit of unit counts to the planned split (scipy `chisquare`). */
export function srmPValue(counts: readonly number[], weights?: readonly number[]): number {
  const total = counts.reduce((s, c) => s + c, 0);
  const w = weights ?? counts.map(() => 1);
  const wTotal = w.reduce((s, x) => s + x, 0);
  let stat = 0;
  counts.forEach((c, i) => {
    const e = (total * w[i]) / wTotal;
    stat += (c - e) ** 2 / e;
  });
  return chiSquareSf(stat, counts.length - 1);
}
