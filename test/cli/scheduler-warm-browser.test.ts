/** The scheduler keeps one Chromium warm for the PDFs of the runs it starts in child processes (issue 19). */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Scheduler } from '../../engine/schedule/scheduler.js';
import { childProcessRun } from '../../engine/schedule/child-run.js';
import { readManifestAt } from '../../engine/schedule/runner.js';
import { pdfInfo } from '../helpers/pdf.js';
import { BIN } from '../helpers/paths.js';

/** Chromium browser processes (not their helpers) started by this process or its children, at any depth. */
function chromiumsBelowMe(): number[] {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,comm='], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [pid, ppid, comm] = l.trim().split(/\s+/);
      return { pid: Number(pid), ppid: Number(ppid), comm: comm ?? '' };
    });
  const byPid = new Map(rows.map((r) => [r.pid, r]));
  const below = (r: { ppid: number }): boolean => {
    for (let p = byPid.get(r.ppid); p; p = byPid.get(p.ppid)) if (p.pid === process.pid) return true;
    return r.ppid === process.pid;
  };
  return rows.filter((r) => r.comm.startsWith('chrom') && !byPid.get(r.ppid)?.comm.startsWith('chrom') && below(r)).map((r) => r.pid);
}

describe('the scheduler and its warm browser', () => {
  it('two scheduled runs exporting pdf share one Chromium, closed when the scheduler stops', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quire-warm-browser-'));
    writeFileSync(join(dir, 'quire.yaml'), 'timezone: UTC\n');
    const schedule = 'schedules:\n  - { name: m, cron: "* * * * *", retries: 0 }\n';
    const cells = 'cells:\n  - id: n\n    type: query\n    sql: SELECT 42 AS answer\n';
    writeFileSync(join(dir, 'a.yaml'), `title: A\nexport: [pdf]\n${cells}${schedule}`);
    writeFileSync(join(dir, 'b.yaml'), `title: B\nexport: [pdf]\n${cells}${schedule}`);
    const before = chromiumsBelowMe().length;
    let now = Date.parse('2026-03-01T00:00:30Z');
    const scheduler = new Scheduler({ root: dir, runsDir: join(dir, 'runs'), projectTimezone: 'UTC', clock: () => now, rescanMs: 0, run: childProcessRun(BIN), logger: { log: () => {} } });
    scheduler.start();
    now = Date.parse('2026-03-01T00:01:00.100Z');
    await scheduler.step();
    await scheduler.settle();

    // Both runs done, the scheduler still up: its one browser is the only Chromium left.
    expect(chromiumsBelowMe().length - before).toBe(1);
    for (const id of ['a', 'b']) {
      const runDirs = readdirSync(join(dir, 'runs', id)).filter((d) => !d.startsWith('.'));
      expect(runDirs).toHaveLength(1);
      const runDir = join(dir, 'runs', id, runDirs[0]!);
      const m = readManifestAt(runDir)!;
      expect([m.status, m.error ?? null]).toEqual(['succeeded', null]);
      expect(m.exports).toEqual({ pdf: 'report.pdf' });
      expect(Number(pdfInfo(join(runDir, 'report.pdf')).Pages)).toBeGreaterThan(0);
      // The run joined the scheduler's browser rather than starting its own.
      expect(readFileSync(join(runDir, 'run.log'), 'utf8')).toContain('pdf: printing in the shared browser');
    }

    await scheduler.stop('test', 0);
    expect(chromiumsBelowMe().length - before).toBe(0);
  });
});
