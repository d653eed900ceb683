import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { fixtureProject, quire } from '../helpers/cli.js';
import { TEST_DB } from '../helpers/paths.js';
import { pdfText } from '../helpers/pdf.js';

/** A copy of report-small with its own copy of the warehouse, so the test can take the data away. */
function ownProject(): string {
  const dir = fixtureProject('report-small');
  copyFileSync(TEST_DB, join(dir, 'warehouse.duckdb'));
  writeFileSync(join(dir, 'quire.yaml'), 'database: warehouse.duckdb\n');
  return dir;
}

function runJson(dir: string, args: string[] = []) {
  const r = quire(['run', 'notebook.yaml', '--json', ...args], dir);
  return { r, m: JSON.parse(r.stdout) as Record<string, any> };
}

describe('quire export', () => {
  it('renders a stored run again without re-running queries (even with the database gone)', async () => {
    const dir = ownProject();
    const { m } = runJson(dir);
    expect(m.status).toBe('succeeded');
    expect(m.exports).toEqual({ html: 'report.html' });
    expect(existsSync(join(m.dir, 'outputs.json'))).toBe(true);
    expect(existsSync(join(m.dir, 'tables', 'by_region.parquet'))).toBe(true);
    const log = readFileSync(join(m.dir, 'run.log'), 'utf8');
    unlinkSync(join(dir, 'warehouse.duckdb'));

    const r = quire(['export', m.id.slice(0, 22), '--format', 'pdf,xlsx'], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`exported ${m.id}: runs/notebook/${m.id}/report.pdf`);
    expect(readFileSync(join(m.dir, 'run.log'), 'utf8')).toBe(log); // no cell ran
    const after = JSON.parse(readFileSync(join(m.dir, 'run.json'), 'utf8'));
    expect(after.exports).toEqual({ html: 'report.html', pdf: 'report.pdf', xlsx: 'report.xlsx' });
    expect(after.status).toBe('succeeded');
    expect(pdfText(join(m.dir, 'report.pdf'))).toContain('Small report');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(join(m.dir, 'report.xlsx'));
    expect(wb.getWorksheet('by_region')!.rowCount).toBe(5); // header + 4 regions, from the stored Parquet
    expect(wb.getWorksheet('by_region')!.getImages()).toHaveLength(1);
  });

  it('reuses the charts the run drew (the chart cache of the runs folder) instead of drawing them again', () => {
    const dir = fixtureProject('report-small');
    const { m } = runJson(dir);
    const memo = join(dir, 'runs', '.cache', '.charts');
    const files = readdirSync(memo).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThan(0);
    // Marked drawings: an export that draws again would not show the marker.
    for (const f of files) {
      const entry = JSON.parse(readFileSync(join(memo, f), 'utf8'));
      entry.chart.svg = '<svg id="drawn-by-the-run"></svg>';
      writeFileSync(join(memo, f), JSON.stringify(entry));
    }
    const r = quire(['export', m.id, '--format', 'html'], dir);
    expect(r.code).toBe(0);
    expect(readFileSync(join(m.dir, 'report.html'), 'utf8')).toContain('drawn-by-the-run');
  });

  it('a batch of runs shares one browser; --theme dark re-themes the HTML', () => {
    const dir = fixtureProject('report-small');
    const a = runJson(dir).m;
    const b = runJson(dir, ['-p', 'month=2025-04']).m;
    const r = quire(['export', a.id, b.id, '--format', 'pdf,html', '--theme', 'dark', '--json'], dir);
    expect(r.code).toBe(0);
    const results = JSON.parse(r.stdout);
    expect(results.map((x: { exports: object }) => x.exports)).toEqual([
      { pdf: 'report.pdf', html: 'report.html' },
      { pdf: 'report.pdf', html: 'report.html' },
    ]);
    expect(pdfText(join(b.dir, 'report.pdf'))).toContain('month=2025-04');
    expect(readFileSync(join(a.dir, 'report.html'), 'utf8')).toContain('<html lang="en" data-theme="dark">');
  });

  it('says why a run cannot be exported', () => {
    const dir = fixtureProject('report-small');
    const { m } = runJson(dir);
    rmSync(join(m.dir, 'outputs.json'));
    const r = quire(['export', m.id], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error[E_RUN_NO_OUTPUTS]: run ${m.id} has no outputs.json`);
    expect(quire(['export', 'nope'], dir).stderr).toContain('error[E_RUN_UNKNOWN]');
    expect(quire(['export', m.id, '--format', 'docx'], dir).stderr).toContain("error[E_BAD_ARGUMENT]: unknown export format 'docx'");
  });

  it("the notebook's export: is the default of quire run; --export overrides it; quire.yaml theme: applies", () => {
    const dir = fixtureProject('report-small');
    writeFileSync(join(dir, 'notebook.yaml'), `${readFileSync(join(dir, 'notebook.yaml'), 'utf8')}export: [xlsx]\n`);
    expect(runJson(dir).m.exports).toEqual({ xlsx: 'report.xlsx' });
    expect(runJson(dir, ['--export', 'html,xlsx']).m.exports).toEqual({ html: 'report.html', xlsx: 'report.xlsx' });
    writeFileSync(join(dir, 'quire.yaml'), `${readFileSync(join(dir, 'quire.yaml'), 'utf8')}theme: dark\n`);
    const themed = runJson(dir, ['--export', 'html']).m;
    expect(readFileSync(join(themed.dir, 'report.html'), 'utf8')).toContain('<html lang="en" data-theme="dark">');
    const bad = quire(['run', 'notebook.yaml', '--export', 'html,pfd'], dir);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("unknown export format 'pfd' — did you mean 'pdf'?");
  });
});

describe('a runs folder that cannot be written', () => {
  it('an unwritable runs dir fails clearly, before any cell runs', () => {
    const dir = fixtureProject('report-small');
    writeFileSync(join(dir, 'blocker'), 'a file where a folder should be');
    const r = quire(['run', 'notebook.yaml', '--runs-dir', join(dir, 'blocker', 'runs')], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error[E_RUNS_DIR]: cannot create the run folder');
    expect(r.stderr).toContain('hint: check that runs_dir');
    expect(r.stderr).not.toContain('internal error');
  });

  it.skipIf(process.getuid?.() !== 0)('a full disk fails the run clearly and leaves no report that looks complete', () => {
    const mnt = mkdtempSync(join(tmpdir(), 'quire-full-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=320k', 'tmpfs', mnt]);
    } catch {
      return; // no permission to mount here: nothing to test
    }
    try {
      const dir = fixtureProject('report-small');
      mkdirSync(join(mnt, 'runs'));
      const r = quire(['run', 'notebook.yaml', '--runs-dir', join(mnt, 'runs'), '--export', 'html,xlsx', '--json'], dir);
      expect(r.code).toBe(1);
      const m = JSON.parse(r.stdout);
      expect(m.status).toBe('failed');
      expect(m.error).toMatch(/report\.html could not be written: cannot write .*report\.html: ENOSPC/);
      expect(m.exports.html).toBeUndefined();
      const files = readdirSync(m.dir);
      expect(files).not.toContain('report.html');
      expect(files.filter((f) => f.includes('.tmp'))).toEqual([]);
      expect(statSync(join(m.dir, 'run.json')).size).toBeGreaterThan(0);
    } finally {
      execFileSync('umount', [mnt]);
      rmSync(mnt, { recursive: true, force: true });
    }
  });
});
