import type { ChartOutput } from '../../outputs.js';
import { attr, escapeHtml } from '../../text/escape.js';
import { renderKpiCards } from './kpi.js';
import { isNumberFormat, type ValueFormat } from '../format/values.js';
import { renderTable } from './table.js';

/** A short, stable hash (FNV-1a): equal charts get equal id prefixes, so output is deterministic. */
function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(36);
}

/** JSON that is safe inside `<script type="application/json">` (no `</script>`, no `<!--`). */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * Vega names clip paths and gradients `clip1`, `gradient_0`... in every SVG: prefix them so several
 * charts in one page do not clip each other.
 */
export function scopeSvgIds(svg: string, prefix: string): string {
  const ids = new Set<string>();
  for (const m of svg.matchAll(/\sid="([^"]+)"/g)) ids.add(m[1]);
  if (!ids.size) return svg;
  return svg
    .replace(/\sid="([^"]+)"/g, (m, id: string) => (ids.has(id) ? ` id="${prefix}${id}"` : m))
    .replace(/url\(#([^)]+)\)/g, (m, id: string) => (ids.has(id) ? `url(#${prefix}${id})` : m))
    .replace(/href="#([^"]+)"/g, (m, id: string) => (ids.has(id) ? `href="#${prefix}${id}"` : m));
}

/** The SVG's own width, which the page keeps as the chart's largest size. */
function naturalWidth(svg: string): number | null {
  const m = /^<svg[^>]*\swidth="(\d+(?:\.\d+)?)"/.exec(svg);
  return m ? Number(m[1]) : null;
}

function note(output: ChartOutput): string {
  return output.note ? `<figcaption class="chart-note">${escapeHtml(output.note)}</figcaption>` : '';
}

function chartError(message: string): string {
  return `<div class="panel panel-error chart-error" role="alert"><div class="error-head"><span class="error-label">Chart not drawn</span></div><p class="error-message">${escapeHtml(message)}</p></div>`;
}

/** The `format:` of a `chart: table` cell, names this version knows only. */
function chosenFormats(formats: Record<string, string> | null | undefined): Record<string, ValueFormat> {
  return Object.fromEntries(Object.entries(formats ?? {}).filter((e): e is [string, ValueFormat] => isNumberFormat(e[1])));
}

/** A chart output: a figure with its static SVG (and spec for the browser), a table, or KPI cards. */
export function renderChart(output: ChartOutput): string {
  if (output.engine === 'table') return output.table ? renderTable(output.table, { formats: chosenFormats(output.formats) }) + note(output) : '<p class="muted no-output">No table</p>';
  if (output.engine === 'kpi') return renderKpiCards(output.kpis ?? []);

  const rendered = output.rendered ?? {};
  if (rendered.empty) return `<figure class="chart chart-empty" data-engine="${escapeHtml(output.engine)}"><p class="chart-empty-note">No data for this period</p>${note(output)}</figure>`;
  if (rendered.error) return `<figure class="chart" data-engine="${escapeHtml(output.engine)}" data-failed="true">${chartError(rendered.error)}</figure>`;

  if (output.engine === 'plotly') {
    const figure = rendered.plotly ?? output.spec ?? {};
    return [
      `<figure class="chart chart-plotly" data-engine="plotly">`,
      `<div class="chart-canvas"></div>`,
      `<script type="application/json" class="chart-spec">${scriptJson(figure)}</script>`,
      note(output),
      '</figure>',
    ].join('\n');
  }

  if (!rendered.svg) return `<figure class="chart" data-engine="vega-lite" data-failed="true">${chartError('the chart was not drawn before rendering (no SVG)')}</figure>`;
  const width = naturalWidth(rendered.svg);
  const id = `q${shortHash(rendered.svg)}-`;
  return [
    `<figure class="chart chart-vega" data-engine="vega-lite"${attr('style', width ? `--chart-width:${width}px` : null)}>`,
    `<div class="chart-canvas">${scopeSvgIds(rendered.svg, id)}</div>`,
    rendered.vega ? `<script type="application/json" class="chart-spec">${scriptJson(rendered.vega)}</script>` : '',
    note(output),
    '</figure>',
  ]
    .filter(Boolean)
    .join('\n');
}
