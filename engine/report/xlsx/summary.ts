/** The Summary sheet: title, run, provenance, params, KPIs, contents, problems. */
import type ExcelJS from 'exceljs';
import type { ReportModel } from '../model.js';
import { changeTone, type KpiCard, type MetricsOutput, type TableValue } from '../../outputs.js';
import { unitFormat } from './columns.js';
import { excelFormat, type NumberFormat } from '../charts/format.js';
import { paramValueText, provenanceText, userParams } from '../provenance.js';
import { HEADER_STYLE } from './sheet.js';

export interface ContentsEntry {
  sheet: string;
  cellId: string;
  title: string;
  rows: number;
  note: string;
}

const SECTION: Partial<ExcelJS.Font> = { bold: true, size: 12, color: { argb: 'FF1D2433' } };
const LABEL: Partial<ExcelJS.Font> = { color: { argb: 'FF667085' } };

function utcDate(iso: string | null | undefined): Date | string {
  if (!iso) return '';
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? new Date(ms) : iso;
}

/** The headline of each metric of a metric cell: slice all, segment all, latest period. */
function metricKpis(output: MetricsOutput): { k: KpiCard; numFmt: string }[] {
  const t = output.table;
  const at = (name: string) => t.columns.findIndex((c) => c.name === name);
  const [period, metric, slice, segment, value, comparison, change] = ['period_start_date', 'metric_name', 'slice_value', 'segment_name', 'metric_value', 'comparison_value', 'change_pct'].map(at);
  const num = (v: TableValue | undefined) => (v === null || v === undefined || v === '' ? null : Number.isFinite(Number(v)) ? Number(v) : null);
  const latest = new Map<string, TableValue[]>();
  for (const row of t.rows) {
    if ((slice! >= 0 && row[slice!] !== 'all') || (segment! >= 0 && row[segment!] !== 'all')) continue;
    const name = String(row[metric!]);
    const prev = latest.get(name);
    if (!prev || String(row[period!] ?? '') > String(prev[period!] ?? '')) latest.set(name, row);
  }
  return output.metrics.flatMap((m) => {
    const row = latest.get(m.name);
    if (!row) return [];
    const pct = change! >= 0 ? num(row[change!]) : null;
    const before = comparison! >= 0 ? num(row[comparison!]) : null;
    const k: KpiCard = {
      label: m.display_name || m.name,
      text: '',
      value: num(row[value!]),
      format: m.unit,
      change:
        pct === null
          ? null
          : {
              text: `${pct >= 0 ? '+' : '−'}${Math.abs(pct * 100).toFixed(1)}%`,
              direction: Math.abs(pct) < 0.0005 ? 'flat' : pct > 0 ? 'up' : 'down',
              against: before === null ? '' : `vs ${before.toLocaleString('en-US')}`,
            },
      good: m.good,
    };
    return [{ k, numFmt: unitFormat(m.unit) }];
  });
}

export function writeSummary(workbook: ExcelJS.stream.xlsx.WorkbookWriter, model: ReportModel, contents: ContentsEntry[], notes: string[]): void {
  const ws = workbook.addWorksheet('Summary', { views: [{ showGridLines: false }] });
  ws.columns = [{ width: 24 }, { width: 56 }, { width: 18 }, { width: 26 }, { width: 40 }];
  const add = (values: unknown[], style?: (row: ExcelJS.Row) => void) => {
    const row = ws.addRow(values);
    style?.(row);
    row.commit();
  };
  const blank = () => add([]);
  const section = (title: string, headers: string[]) => {
    blank();
    add([title], (r) => (r.getCell(1).font = SECTION));
    add(headers, (r) => r.eachCell((c) => (c.style = HEADER_STYLE)));
  };
  const field = (label: string, value: unknown, numFmt?: string) =>
    add([label, value], (r) => {
      r.getCell(1).font = LABEL;
      if (numFmt) r.getCell(2).numFmt = numFmt;
      r.getCell(2).alignment = { horizontal: 'left', wrapText: typeof value === 'string' && value.length > 60 };
    });

  add([model.title], (r) => {
    r.getCell(1).font = { bold: true, size: 16, color: { argb: 'FF1D2433' } };
    r.height = 24;
  });
  if (model.description) add([model.description], (r) => (r.getCell(1).font = { italic: true, color: { argb: 'FF475467' } }));
  blank();
  field('Status', model.run.status + (model.run.failure ? ` — ${model.run.failure}` : ''));
  field('Run', model.run.id);
  field('Started (UTC)', utcDate(model.run.startedAt), 'yyyy-mm-dd hh:mm:ss');
  field('Finished (UTC)', utcDate(model.run.finishedAt), 'yyyy-mm-dd hh:mm:ss');
  field('Notebook', `${model.notebook.id} (${model.notebook.path})`);
  field('Notebook sha256', model.notebook.sha256);
  if (model.data) {
    if (model.data.asOf) field('Data as of (UTC)', utcDate(model.data.asOf), 'yyyy-mm-dd hh:mm:ss');
    field('Data fingerprint', model.data.fingerprint);
  }
  field('Provenance', provenanceText(model));

  const params = userParams(model.params);
  if (params.length) {
    section('Parameters', ['Parameter', 'Value']);
    for (const [k, v] of params) add([k, typeof v === 'number' || typeof v === 'boolean' ? v : paramValueText(v)], (r) => (r.getCell(2).alignment = { horizontal: 'left' }));
  }

  const kpis = [
    ...model.cells.flatMap((c) =>
      c.status === 'succeeded' && c.output?.kind === 'chart' && c.output.engine === 'kpi' ? (c.output.kpis ?? []).map((k) => ({ cell: c, k, numFmt: excelFormat(k.format as NumberFormat) })) : [],
    ),
    ...model.cells.flatMap((c) => (c.status === 'succeeded' && c.output?.kind === 'metrics' ? metricKpis(c.output).map((m) => ({ cell: c, ...m })) : [])),
  ];
  if (kpis.length) {
    section('KPIs', ['KPI', 'Value', 'Change', 'Against', 'From']);
    for (const { cell, k, numFmt } of kpis) {
      add([k.label, k.value, k.change?.text ?? '', k.change?.against ?? '', cell.title ?? cell.id], (r) => {
        r.getCell(2).numFmt = numFmt;
        r.getCell(2).alignment = { horizontal: 'left' };
        r.getCell(2).font = { bold: true };
        const tone = changeTone(k.change?.direction, k.good);
        const colour = tone === 'good' ? 'FF067647' : tone === 'bad' ? 'FFB42318' : 'FF667085';
        r.getCell(3).font = { color: { argb: colour }, bold: true };
      });
    }
  }

  if (contents.length) {
    section('Sheets', ['Sheet', 'Cell', 'Rows', 'Note']);
    for (const e of contents) add([e.sheet, e.title === e.cellId ? e.cellId : `${e.title} (${e.cellId})`, e.rows, e.note], (r) => (r.getCell(3).numFmt = '#,##0'));
  }

  const problems = model.cells.filter((c) => c.status !== 'succeeded');
  const warnings = model.cells.flatMap((c) => (c.status === 'succeeded' ? (c.warnings ?? []).map((w) => ({ cell: c, w })) : []));
  if (problems.length || warnings.length || notes.length) {
    section('Problems and notes', ['Cell', 'Message', 'Status']);
    for (const c of problems) {
      const message = c.status === 'failed' ? `${c.error?.code ?? ''} ${c.error?.message ?? ''}`.trim() : (c.skippedReason ?? '');
      add([c.id, message, c.status], (r) => (r.getCell(3).font = { color: { argb: c.status === 'failed' ? 'FFB42318' : 'FF667085' } }));
    }
    for (const { cell, w } of warnings) {
      const message = `${w.code} ${w.message}${w.location ? ` (${w.location})` : ''}`;
      add([cell.id, message, 'warning'], (r) => (r.getCell(3).font = { color: { argb: 'FFB54708' } }));
    }
    for (const n of notes) add(['', n, 'note']);
  }
  ws.commit();
}
