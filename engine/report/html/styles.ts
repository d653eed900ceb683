/** The report's whole stylesheet, inlined so the HTML file works offline. Light theme, printable. */
export const STYLES = `
:root {
  --fg: #1d2433;
  --fg-soft: #475467;
  --muted: #667085;
  --faint: #98a2b3;
  --border: #e4e7ec;
  --border-strong: #d0d5dd;
  --bg: #f5f6f8;
  --card: #ffffff;
  --subtle: #f9fafb;
  --accent: #2457c5;
  --green: #067647; --green-bg: #ecfdf3; --green-border: #abefc6;
  --amber: #b54708; --amber-bg: #fffaeb; --amber-border: #fedf89;
  --red: #b42318; --red-bg: #fef3f2; --red-border: #fecdca; --red-fg: #7a271a;
  --grey: #475467; --grey-bg: #f2f4f7; --grey-border: #d0d5dd;
  --sans: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", "Liberation Sans", sans-serif;
  --mono: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", "DejaVu Sans Mono", monospace;
}
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0;
  background: var(--bg);
  color: var(--fg);
  font: 15px/1.55 var(--sans);
  -webkit-font-smoothing: antialiased;
}
code, pre, kbd, samp { font-family: var(--mono); font-size: 0.86em; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
.muted { color: var(--muted); }
.label {
  font-size: 11px; font-weight: 600; letter-spacing: 0.07em; text-transform: uppercase;
  color: var(--muted); margin: 0;
}

.page { max-width: 1100px; margin: 0 auto; padding: 40px 32px 48px; }

/* Run failure banner */
.banner {
  display: flex; gap: 10px; align-items: baseline; flex-wrap: wrap;
  padding: 12px 16px; margin: 0 0 24px; border-radius: 8px; border: 1px solid;
}
.banner-failed { background: var(--red-bg); border-color: var(--red-border); color: var(--red-fg); }
.banner-failed strong { color: var(--red); }

/* Header */
.report-header { margin: 0 0 24px; padding: 0 0 22px; border-bottom: 1px solid var(--border-strong); }
.report-header h1 { font-size: 30px; line-height: 1.2; font-weight: 700; letter-spacing: -0.015em; margin: 0 0 8px; }
.description { color: var(--fg-soft); font-size: 16px; margin: 0 0 16px; max-width: 75ch; }
.run-line { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 10px; color: var(--fg-soft); font-size: 14px; }
.run-line .sep { color: var(--faint); }
.run-line strong { font-weight: 600; color: var(--fg); }
.badge {
  display: inline-flex; align-items: center; gap: 6px; padding: 2px 10px 2px 8px;
  border: 1px solid; border-radius: 999px; font-size: 12.5px; font-weight: 600; line-height: 1.5;
}
.badge::before { content: ""; width: 7px; height: 7px; border-radius: 50%; background: currentColor; }
.badge-succeeded { color: var(--green); background: var(--green-bg); border-color: var(--green-border); }
.badge-partial { color: var(--amber); background: var(--amber-bg); border-color: var(--amber-border); }
.badge-failed { color: var(--red); background: var(--red-bg); border-color: var(--red-border); }
.badge-running { color: var(--grey); background: var(--grey-bg); border-color: var(--grey-border); }
.params { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; margin-top: 14px; }
.params .label { margin-right: 4px; }
.chip {
  display: inline-flex; align-items: stretch; font-size: 13px; line-height: 1.6;
  border: 1px solid var(--border-strong); border-radius: 6px; background: var(--card); overflow: hidden;
}
.chip-k { padding: 0 7px; background: var(--grey-bg); color: var(--fg-soft); border-right: 1px solid var(--border-strong); }
.chip-v { padding: 0 8px; font-family: var(--mono); font-size: 12.5px; white-space: pre-wrap; overflow-wrap: anywhere; }
.provenance {
  display: flex; flex-wrap: wrap; gap: 4px 16px; margin: 14px 0 0;
  font-size: 12.5px; color: var(--muted);
}
.provenance code { color: var(--fg-soft); background: var(--grey-bg); padding: 1px 5px; border-radius: 4px; font-size: 12px; }
.provenance .path code { overflow-wrap: anywhere; }

/* Table of contents */
.toc { margin: 0 0 24px; padding: 14px 20px 14px; background: var(--card); border: 1px solid var(--border); border-radius: 10px; }
.toc ol { margin: 8px 0 0; padding: 0 0 0 2.6em; columns: 2 240px; column-gap: 32px; font-size: 14px; }
.toc li { margin: 0; padding: 1px 0; break-inside: avoid; color: var(--faint); }
.toc-status { font-size: 11px; font-weight: 600; border-radius: 4px; padding: 0 5px; margin-left: 4px; }
.toc-page { display: none; }
.toc-failed { color: var(--red); background: var(--red-bg); }
.toc-skipped { color: var(--muted); background: var(--grey-bg); }

/* Cells */
.cell {
  background: var(--card); border: 1px solid var(--border); border-radius: 10px;
  padding: 18px 22px 20px; margin: 0 0 18px; box-shadow: 0 1px 2px rgba(16, 24, 40, 0.04);
}
.cell-text { background: transparent; border-color: transparent; box-shadow: none; padding: 2px 0; }
.cell-head { display: flex; align-items: baseline; justify-content: space-between; gap: 16px; margin: 0 0 12px; }
.cell-head h2 { font-size: 18px; line-height: 1.3; font-weight: 650; margin: 0; overflow-wrap: anywhere; }
.cell-meta { display: inline-flex; align-items: baseline; gap: 8px; flex-shrink: 0; font-size: 12px; color: var(--faint); white-space: nowrap; }
.cell-meta code { font-size: 12px; color: var(--muted); }
.cell-type { text-transform: uppercase; letter-spacing: 0.06em; font-size: 10.5px; font-weight: 600; }
.cell-status { font-size: 11px; font-weight: 600; border-radius: 4px; padding: 0 6px; }
.cell-status-failed { color: var(--red); background: var(--red-bg); }
.cell-status-skipped { color: var(--muted); background: var(--grey-bg); }
.cell-status-warning { color: var(--amber); background: var(--amber-bg); }
.no-output { margin: 0; font-size: 14px; }

/* Text output */
.prose { max-width: 78ch; }
.prose > :first-child { margin-top: 0; }
.prose > :last-child { margin-bottom: 0; }
.prose h1, .prose h2, .prose h3, .prose h4 { line-height: 1.3; margin: 1.2em 0 0.5em; }
.prose h1 { font-size: 22px; } .prose h2 { font-size: 19px; } .prose h3 { font-size: 16px; }
.prose p, .prose ul, .prose ol, .prose blockquote { margin: 0 0 0.8em; }
.prose code { background: var(--grey-bg); padding: 1px 5px; border-radius: 4px; }
.prose pre { background: var(--subtle); border: 1px solid var(--border); border-radius: 8px; padding: 10px 12px; overflow-x: auto; }
.prose pre code { background: none; padding: 0; }
.prose blockquote { border-left: 3px solid var(--border-strong); padding: 2px 0 2px 14px; color: var(--fg-soft); }
.prose table { border-collapse: collapse; font-size: 14px; }
.prose th, .prose td { border: 1px solid var(--border); padding: 4px 10px; }
.prose img { max-width: 100%; }
/* Tone marks a text cell may use (<span class="tone-bad">●</span>): the sanitizer removes style attributes. */
.tone-good { color: var(--green); } .tone-warn { color: var(--amber); } .tone-bad { color: var(--red); }

/* Table output */
.table-wrap { display: inline-block; max-width: 100%; vertical-align: top; overflow-x: auto; border: 1px solid var(--border); border-radius: 8px; background: var(--card); }
table.data { border-collapse: collapse; width: auto; font-size: 13.5px; line-height: 1.45; }
table.data th {
  text-align: left; vertical-align: bottom; padding: 8px 12px 7px;
  background: var(--subtle); border-bottom: 1px solid var(--border-strong); white-space: nowrap;
}
.col-name { display: block; font-weight: 600; color: var(--fg); }
.col-type { display: block; font-weight: 400; font-family: var(--mono); font-size: 10.5px; color: var(--faint); letter-spacing: 0.01em; }
table.data td { padding: 6px 12px; border-top: 1px solid var(--border); vertical-align: top; white-space: nowrap; }
table.data tbody tr:first-child td { border-top: 0; }
table.data tbody tr:nth-child(even) td { background: #fbfbfc; }
.long { display: block; min-width: 20ch; max-width: 40ch; white-space: normal; overflow-wrap: anywhere; }
table.data .num { text-align: right; font-variant-numeric: tabular-nums; }
.null { color: var(--faint); font-style: normal; }
.bool { font-weight: 600; }
.json { font-family: var(--mono); font-size: 12px; color: var(--fg-soft); }
.table-foot { margin: 6px 2px 0; font-size: 12.5px; color: var(--muted); }
.chart-empty-note { margin: 0; padding: 28px 16px; text-align: center; color: var(--muted); font-size: 13.5px; border: 1px dashed var(--border); border-radius: 8px; }
table.data td.table-foot { padding: 5px 12px; border-top: 1px solid var(--border); background: var(--card); white-space: normal; }

/* Value output */
pre.value {
  margin: 0; padding: 12px 14px; background: var(--subtle); border: 1px solid var(--border);
  border-radius: 8px; font-size: 13px; line-height: 1.5; overflow-x: auto;
}

/* Error, warning and skipped panels */
.panel { border-radius: 8px; padding: 12px 16px; }
.panel-error { background: var(--red-bg); border: 1px solid var(--red-border); color: var(--red-fg); }
.error-head, .warning-head { display: flex; flex-wrap: wrap; align-items: baseline; gap: 6px 10px; }
.error-label { font-weight: 700; color: var(--red); }
.error-code { font-size: 12px; font-weight: 600; color: var(--red); background: #fee4e2; padding: 1px 6px; border-radius: 4px; }
.error-location { font-family: var(--mono); font-size: 12px; color: var(--red-fg); opacity: 0.85; }
.error-message, .warning-message { margin: 6px 0 0; font-size: 14.5px; color: var(--fg); white-space: pre-wrap; overflow-wrap: anywhere; }
.panel-warning { background: var(--amber-bg); border: 1px solid var(--amber-border); }
.panel-warning:not(:last-child) { margin-bottom: 12px; }
.warning-label { font-weight: 700; color: var(--amber); }
.warning-code { font-size: 12px; font-weight: 600; color: var(--amber); background: var(--card); padding: 1px 6px; border-radius: 4px; }
.warning-location { font-family: var(--mono); font-size: 12px; color: var(--amber); opacity: 0.85; }
.panel-warning pre.snippet { border-color: var(--amber-border); }
pre.snippet {
  margin: 10px 0 0; padding: 10px 12px; background: var(--card); border: 1px solid var(--red-border);
  border-radius: 6px; color: var(--fg); font-size: 12.5px; line-height: 1.5; overflow-x: auto;
}
.hint { margin: 10px 0 0; font-size: 14px; color: var(--fg-soft); }
.hint-label {
  display: inline-block; margin-right: 8px; padding: 0 6px; border-radius: 4px;
  font-size: 11px; font-weight: 600; letter-spacing: 0.04em; text-transform: uppercase;
  color: var(--grey); background: var(--card); border: 1px solid var(--border-strong);
}
.panel-skipped {
  background: var(--subtle); border: 1px dashed var(--border-strong); color: var(--muted);
  font-size: 14px; padding: 10px 14px;
}

/* Footer */
.report-footer {
  display: flex; flex-wrap: wrap; justify-content: space-between; gap: 6px 24px;
  margin-top: 32px; padding-top: 16px; border-top: 1px solid var(--border-strong);
  font-size: 12.5px; color: var(--muted);
}
.report-footer code { font-size: 12px; color: var(--fg-soft); }

@media (max-width: 640px) {
  .page { padding: 24px 16px 32px; }
  .cell { padding: 14px 14px 16px; }
  .cell-head { flex-direction: column; gap: 2px; }
}

@media print {
  @page { margin: 14mm 12mm; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  body { background: #fff; font-size: 10.5pt; }
  .page { max-width: none; padding: 0; }
  a { color: inherit; }
  .toc { border: 0; padding: 0; break-inside: avoid; }
  .cell { border: 0; border-radius: 0; box-shadow: none; padding: 0; margin: 0 0 16pt; }
  /* A heading stays with what follows it: a cell's head with its output, a text cell ending in a heading with the next cell. */
  .cell-head, .prose :is(h1, h2, h3, h4, h5, h6) { break-after: avoid; }
  .cell:has(> .prose > :is(h1, h2, h3, h4, h5, h6):last-child) { break-after: avoid; }
  .keep-together, .panel, pre, .banner, .report-header, figure.chart, .kpis { break-inside: avoid; }
  /* A table's row count and a chart's note stay with it. */
  .table-foot, .chart-note { break-before: avoid; }
  /* Printed once, after the last row, which it stays with (a footer group would repeat on every page). */
  table.data tfoot { display: table-row-group; }
  table.data tfoot tr { break-before: avoid; break-inside: avoid; }
  .toc-page { display: inline-block; min-width: 3ch; margin-left: 8px; color: var(--muted); font-variant-numeric: tabular-nums; }
  .table-wrap { overflow: visible; border-radius: 0; }
  table.data { font-size: 8.5pt; }
  table.data td { white-space: normal; }
  table.data td.num, table.data td.date { white-space: nowrap; }
  table.data thead { display: table-header-group; }
  table.data tr { break-inside: avoid; }
  pre.value, pre.snippet, .prose pre { white-space: pre-wrap; overflow-wrap: anywhere; overflow: visible; }
}
`;
