/**
 * An experiment readout as a scorecard: per metric, each variant's value, its difference from
 * control (relative too) and a bar of the interval on an axis centred on zero — green when it is
 * significant good news, red when significant bad news, grey otherwise — then the full table.
 */
import { changeTone, type ExperimentOutput, type TableValue } from '../../outputs.js';
import { attr, escapeHtml } from '../../text/escape.js';
import { renderTable } from './table.js';

/** Styles of the scorecard; the page adds them when a scorecard is on it (see page.ts). */
export const SCORECARD_STYLES = `
.qx-scorecard { margin: 0 0 14px; }
.qx-caption { margin: 0 0 12px; font-size: 13px; color: var(--muted); display: flex; flex-wrap: wrap; gap: 4px 14px; }
.qx-caption b { color: var(--fg); font-weight: 600; }
.qx-srm-bad { color: var(--red); font-weight: 600; }
.qx-metric { border: 1px solid var(--border); border-radius: 10px; padding: 10px 14px 8px; margin: 0 0 10px; background: var(--card); break-inside: avoid; }
.qx-head { display: flex; align-items: baseline; gap: 10px; margin: 0 0 6px; }
.qx-name { font-weight: 650; }
.qx-method { font-size: 12px; color: var(--muted); }
.qx-row { display: grid; grid-template-columns: minmax(80px, 1.1fr) minmax(70px, 0.8fr) minmax(90px, 1fr) minmax(140px, 2.6fr) minmax(76px, 0.8fr); gap: 10px; align-items: center; padding: 4px 0; border-top: 1px solid var(--border); font-size: 13.5px; font-variant-numeric: tabular-nums; }
.qx-row.qx-labels { border-top: 0; font-size: 11.5px; color: var(--faint); text-transform: uppercase; letter-spacing: 0.04em; padding: 0 0 2px; }
.qx-variant { font-weight: 600; overflow-wrap: break-word; min-width: 0; }
.qx-control .qx-variant { color: var(--muted); font-weight: 500; }
.qx-num { text-align: right; white-space: nowrap; }
.qx-labels .qx-num { white-space: normal; }
.qx-num .qx-sub { display: block; font-size: 11.5px; color: var(--muted); line-height: 1.2; }
.qx-rel { color: var(--muted); font-size: 12px; margin-left: 4px; }
.qx-good { color: var(--green); } .qx-bad { color: var(--red); } .qx-neutral { color: var(--fg-soft); }
.qx-axis { position: relative; height: 18px; }
.qx-axis::before { content: ""; position: absolute; left: 0; right: 0; top: 50%; border-top: 1px solid var(--border); }
.qx-zero { position: absolute; top: 0; bottom: 0; border-left: 1px dashed var(--faint); }
.qx-bar { position: absolute; top: 6px; height: 6px; border-radius: 3px; background: var(--grey, #98a2b3); opacity: 0.55; }
.qx-dot { position: absolute; top: 4px; width: 10px; height: 10px; margin-left: -5px; border-radius: 50%; background: var(--grey, #667085); }
.qx-bar.qx-good, .qx-dot.qx-good { background: var(--green); } .qx-bar.qx-bad, .qx-dot.qx-bad { background: var(--red); }
.qx-p { text-align: right; font-size: 12.5px; color: var(--fg-soft); }
.qx-sig { font-weight: 650; }
`;

const METHOD_NAMES: Record<string, string> = {
  z: 'two-proportion z-test',
  welch: "Welch's t-test",
  delta: 'ratio of sums, delta method',
  cuped: "CUPED + Welch's t-test",
  bayesian: 'Bayesian beta-binomial',
  msprt: 'mSPRT (always valid)',
};

const CORRECTIONS: Record<string, string> = { holm: 'Holm-corrected', bh: 'Benjamini–Hochberg-corrected', none: 'uncorrected' };

function num(v: TableValue | undefined): number | null {
  if (v === null || v === undefined) return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

function sig(x: number, digits = 4): string {
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e6 || a < 1e-4) return x.toExponential(2);
  return Number(x.toPrecision(digits)).toLocaleString('en-US', { maximumFractionDigits: 8 });
}

const signed = (text: string, x: number) => (x > 0 ? `+${text}` : x < 0 ? `−${text.replace(/^-/, '')}` : text);

/** Values of proportions as percentages, differences in percentage points; other kinds as numbers. */
function formatters(kind: string) {
  if (kind === 'proportion') {
    return { value: (x: number) => `${sig(x * 100)}%`, diff: (x: number) => signed(`${sig(Math.abs(x) * 100, 3)} pp`, x) };
  }
  return { value: (x: number) => sig(x), diff: (x: number) => signed(sig(Math.abs(x), 3), x) };
}

function pText(p: number): string {
  return p < 0.0001 ? '<0.0001' : p.toFixed(4);
}

interface Row {
  variant: string;
  n: number | null;
  value: number | null;
  diff: number | null;
  rel: number | null;
  low: number | null;
  high: number | null;
  p: number | null;
  pAdj: number | null;
  significant: boolean | null;
  prob: number | null;
}

function rowsOf(output: ExperimentOutput, metric: string): Row[] {
  const cols = output.table.columns.map((c) => c.name);
  const at = (r: TableValue[], name: string) => r[cols.indexOf(name)];
  return output.table.rows
    .filter((r) => at(r, 'metric') === metric)
    .map((r) => ({
      variant: String(at(r, 'variant')),
      n: num(at(r, 'n')),
      value: num(at(r, 'value')),
      diff: num(at(r, 'diff')),
      rel: num(at(r, 'rel_diff')),
      low: num(at(r, 'ci_low')),
      high: num(at(r, 'ci_high')),
      p: num(at(r, 'p_value')),
      pAdj: num(at(r, 'p_value_adjusted')),
      significant: at(r, 'significant') === null ? null : at(r, 'significant') === true,
      prob: num(at(r, 'prob_beat_control')),
    }));
}

function bar(row: Row, scale: number, tone: string): string {
  if (row.low === null || row.high === null || scale <= 0) return '<div class="qx-axis"></div>';
  const pos = (x: number) => Math.max(0, Math.min(100, 50 + (x / scale) * 50));
  const left = pos(row.low);
  const width = Math.max(0.5, pos(row.high) - left);
  const dot = row.diff === null ? '' : `<span${attr('class', `qx-dot qx-${tone}`)}${attr('style', `left:${pos(row.diff).toFixed(2)}%`)}></span>`;
  return `<div class="qx-axis"${attr('title', `interval ${sig(row.low)} to ${sig(row.high)}`)}><span class="qx-zero" style="left:50%"></span><span${attr('class', `qx-bar qx-${tone}`)}${attr('style', `left:${left.toFixed(2)}%;width:${width.toFixed(2)}%`)}></span>${dot}</div>`;
}

function renderMetric(output: ExperimentOutput, metric: ExperimentOutput['metrics'][number]): string {
  const rows = rowsOf(output, metric.name);
  const f = formatters(metric.kind);
  const scale = 1.1 * Math.max(0, ...rows.flatMap((r) => [r.low, r.high].filter((x): x is number => x !== null).map(Math.abs)));
  const level = `${Number(((1 - output.alpha) * 100).toPrecision(4))}%`;
  const labels = `<div class="qx-row qx-labels"><span>Variant</span><span class="qx-num">Value</span><span class="qx-num">Δ vs control</span><span>${metric.method === 'bayesian' ? 'Credible' : 'Confidence'} interval (${level})</span><span class="qx-num">${metric.method === 'bayesian' ? 'P(beats control)' : output.correction === 'none' ? 'p-value' : `p-value (${output.correction === 'bh' ? 'BH' : 'Holm'})`}</span></div>`;
  const body = rows.map((row) => {
    const isControl = row.variant === output.control;
    const direction = row.diff === null || row.diff === 0 ? 'flat' : row.diff > 0 ? 'up' : 'down';
    const tone = row.significant ? changeTone(direction, metric.good ?? 'up') : 'neutral';
    const value = row.value === null ? '—' : f.value(row.value);
    const diff = isControl
      ? '<span class="qx-rel">control</span>'
      : row.diff === null
        ? '—'
        : `<span${attr('class', `qx-${tone}`)}>${escapeHtml(f.diff(row.diff))}</span>${row.rel === null ? '' : `<span class="qx-sub">${escapeHtml(signed(`${sig(Math.abs(row.rel) * 100, 3)}%`, row.rel))}</span>`}`;
    let p = '';
    if (!isControl) {
      const shown = metric.method === 'bayesian' ? (row.prob === null ? '—' : `${sig(row.prob * 100, 4)}%`) : row.pAdj === null ? '—' : pText(row.pAdj);
      p = `<span${attr('class', row.significant ? `qx-sig qx-${tone}` : '')}>${escapeHtml(shown)}</span>`;
    }
    return `<div${attr('class', `qx-row${isControl ? ' qx-control' : ''}`)}><span class="qx-variant">${escapeHtml(row.variant)}</span><span class="qx-num">${escapeHtml(value)}<span class="qx-sub">n=${row.n === null ? '—' : row.n.toLocaleString('en-US')}</span></span><span class="qx-num">${diff}</span>${isControl ? '<div class="qx-axis"><span class="qx-zero" style="left:50%"></span></div>' : bar(row, scale, tone)}<span class="qx-p">${p}</span></div>`;
  });
  return `<div class="qx-metric"><div class="qx-head"><span class="qx-name">${escapeHtml(metric.name)}</span><span class="qx-method">${escapeHtml(`${metric.kind} · ${METHOD_NAMES[metric.method] ?? metric.method}`)}</span></div>${labels}${body.join('')}</div>`;
}

export function renderExperiment(output: ExperimentOutput): string {
  const srm = output.srmPValue;
  const srmText =
    srm === null
      ? ''
      : srm < 0.001
        ? `<span class="qx-srm-bad">Sample ratio mismatch: p = ${escapeHtml(pText(srm))} — check the assignment before trusting the results</span>`
        : `<span>Sample ratio check: p = ${escapeHtml(pText(srm))}</span>`;
  const units = output.units.map((u) => `${escapeHtml(u.variant)} ${u.units.toLocaleString('en-US')}`).join(' · ');
  const caption = [
    `<span>Control: <b>${escapeHtml(output.control)}</b></span>`,
    `<span>Units: ${units}</span>`,
    srmText,
    `<span>p-values ${escapeHtml(CORRECTIONS[output.correction] ?? output.correction)}, α = ${escapeHtml(String(output.alpha))}</span>`,
    output.excludedUnits ? `<span>${output.excludedUnits.toLocaleString('en-US')} unit(s) with several variants or none left out</span>` : '',
  ].filter(Boolean);
  return [`<div class="qx-scorecard">`, `<p class="qx-caption">${caption.join('')}</p>`, ...output.metrics.map((m) => renderMetric(output, m)), '</div>', renderTable(output.table)].join('\n');
}
