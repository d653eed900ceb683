/** Styles added to the base sheet (styles.ts): charts, KPI cards, the dark theme and PDF tweaks. */

export const CHART_STYLES = `
/* Charts */
figure.chart { margin: 0; max-width: 100%; }
.chart-canvas { width: 100%; max-width: var(--chart-width, 100%); }
.chart-canvas > svg, .chart-canvas > div > svg { display: block; width: 100%; height: auto; }
.chart-plotly .chart-canvas { max-width: none; min-height: 300px; }
.chart-note { margin: 6px 2px 0; font-size: 12.5px; color: var(--muted); }
.chart-error { margin: 0; }
.chart-tip {
  position: fixed; z-index: 10; pointer-events: none; max-width: 320px;
  background: var(--card); color: var(--fg); border: 1px solid var(--border-strong); border-radius: 6px;
  box-shadow: 0 4px 14px rgba(16, 24, 40, 0.14); padding: 6px 9px; font-size: 12.5px; line-height: 1.45;
}
.chart-tip table { border-collapse: collapse; }
.chart-tip td { padding: 0 0 0 10px; white-space: nowrap; font-variant-numeric: tabular-nums; }
.chart-tip td:first-child { padding: 0; color: var(--muted); }

/* KPI cards */
.kpis { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 12px; }
.kpi { border: 1px solid var(--border); border-radius: 8px; padding: 12px 16px 13px; background: var(--subtle); }
.kpi p { margin: 0; }
.kpi-label { font-size: 12.5px; font-weight: 600; color: var(--muted); letter-spacing: 0.01em; }
.kpi-value { font-size: 26px; line-height: 1.25; font-weight: 700; letter-spacing: -0.01em; margin-top: 2px !important; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
.kpi-change { font-size: 12.5px; font-weight: 600; margin-top: 4px !important; }
.kpi-good { color: var(--green); }
.kpi-bad { color: var(--red); }
.kpi-neutral { color: var(--muted); }
.kpi-arrow { font-size: 10px; }
.kpi-against { font-weight: 400; color: var(--muted); }
.cell-chart .table-wrap { margin-top: 2px; }

@media print {
  figure.chart, .kpis, .kpi { break-inside: avoid; }
  .chart-canvas { max-width: min(100%, var(--chart-width, 100%)); }
  .chart-tip { display: none; }
  .table-wrap { display: block; width: fit-content; max-width: 100%; border: 0; }
  table.data { border: 1px solid var(--border); }
  .kpi-value { font-size: 17pt; }
  .toc a { color: var(--fg-soft); }
}
`;

/** The dark theme: the same variables, night colours. Printing falls back to the light sheet. */
export const DARK_STYLES = `
@media screen {
  :root {
    --fg: #e4e7ec;
    --fg-soft: #c2c8d2;
    --muted: #98a2b3;
    --faint: #6b7585;
    --border: #2a303b;
    --border-strong: #3a4250;
    --bg: #0e1117;
    --card: #161b24;
    --subtle: #1b212c;
    --accent: #7aa2ff;
    --green: #4ade80; --green-bg: #0f2a1c; --green-border: #1f5135;
    --amber: #fbbf24; --amber-bg: #2b2210; --amber-border: #5a4514;
    --red: #f87171; --red-bg: #2c1414; --red-border: #5c2323; --red-fg: #fecaca;
    --grey: #c2c8d2; --grey-bg: #222834; --grey-border: #3a4250;
    color-scheme: dark;
  }
  table.data tbody tr:nth-child(even) td { background: #1a202a; }
  .error-code { background: #3a1818; }
}
`;

/** Only in the PDF: tighter type, no card chrome; page margins and footer come from the printer. */
export const PDF_STYLES = `
@page { margin: 14mm 13mm 18mm 13mm; }
html, body { background: #fff; }
.page { max-width: none; padding: 0; }
.report-header h1 { font-size: 22pt; }
.report-footer { display: none; }
`;
