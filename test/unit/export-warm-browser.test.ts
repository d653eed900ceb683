/** The warm browser of a long-lived process: closed when idle, started again after it died (issue 19). */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WarmBrowser } from '../../engine/export/warm-browser.js';
import { writeExports } from '../../engine/export/write.js';
import { connectBrowser } from '../../engine/report/pdf/browser.js';
import type { ReportModel } from '../../engine/report/model.js';

const model = {
  title: 'Warm',
  notebook: { id: 'nb', path: 'nb.yaml', sha256: 'b'.repeat(64) },
  params: {},
  run: { id: 'run-1', status: 'succeeded', startedAt: '2025-02-01T07:00:00.000Z', finishedAt: '2025-02-01T07:00:03.000Z', durationMs: 3000 },
  cells: [{ id: 'n', type: 'query', title: 'N', status: 'succeeded', output: { kind: 'table', columns: [{ name: 'n', type: 'INTEGER' }], rows: [[42]], rowCount: 1 } }],
} as ReportModel;

const reachable = (endpoint: string) =>
  connectBrowser(endpoint).then(
    (b) => b.disconnect().then(() => true),
    () => false,
  );

describe('the warm browser', () => {
  it('closes once idle for its time after the last run, and starts again for the next', async () => {
    const countdowns: { ms: number; fire: () => Promise<void>; cancelled: boolean }[] = [];
    const warm = new WarmBrowser(60_000, (ms, fire) => {
      const c = { ms, fire, cancelled: false };
      countdowns.push(c);
      return () => {
        c.cancelled = true;
      };
    });
    try {
      const a = await warm.lease();
      const b = await warm.lease();
      expect(a.endpoint).toBeTruthy();
      expect(b.endpoint).toBe(a.endpoint);
      // A run process killed mid-print: its page stays open in the browser.
      const killed = await connectBrowser(b.endpoint!);
      for (const lease of [a, b]) await killed.waitForTarget((t) => t.url() === lease.page);
      const ownPages = (await killed.pages()).filter((p) => !p.url().startsWith('about:blank#quire-run-')).length;
      await killed.newPage();
      await killed.disconnect();
      await a.release();
      expect(countdowns).toHaveLength(0); // b still uses it
      await b.release();
      await b.release();
      // Left: the browser's own pages and the one opened ahead for the next run.
      const look = await connectBrowser(b.endpoint!);
      const left = (await look.pages()).map((p) => p.url().startsWith('about:blank#quire-run-'));
      expect(left.filter((ahead) => !ahead)).toHaveLength(ownPages);
      expect(left.filter((ahead) => ahead)).toHaveLength(1);
      await look.disconnect();
      expect(countdowns.map((c) => c.ms)).toEqual([60_000]);
      await countdowns[0]!.fire();
      expect(await reachable(a.endpoint!)).toBe(false);

      const c = await warm.lease();
      expect(c.endpoint).toBeTruthy();
      expect(c.endpoint).not.toBe(a.endpoint);
      await c.release();
      await warm.lease().then((d) => d.release());
      expect(countdowns.map((x) => x.cancelled)).toEqual([false, true, false]);
    } finally {
      await warm.close();
    }
  });

  it('a run whose shared browser died prints in its own; the next lease starts a new one', async () => {
    const warm = new WarmBrowser();
    try {
      const first = await warm.lease();
      // Chromium gone under the scheduler (crashed, killed).
      await (await connectBrowser(first.endpoint!)).close();
      const lines: string[] = [];
      const dir = mkdtempSync(join(tmpdir(), 'quire-warm-dead-'));
      const written = await writeExports(model, dir, ['pdf'], { browserEndpoint: first.endpoint!, logger: { log: (level, m) => lines.push(`${level} ${m}`) } });
      expect(written).toEqual({ pdf: 'report.pdf' });
      expect(existsSync(join(dir, 'report.pdf'))).toBe(true);
      expect(lines.some((l) => l.startsWith('warn the shared browser is gone'))).toBe(true);
      await first.release();

      const next = await warm.lease();
      expect(next.endpoint).toBeTruthy();
      expect(next.endpoint).not.toBe(first.endpoint);
      expect(await reachable(next.endpoint!)).toBe(true);
      await next.release();
    } finally {
      await warm.close();
    }
  });

  it("a lease comes with a blank page opened for its run: the run's export prints in it, the release closes it", async () => {
    const warm = new WarmBrowser();
    try {
      await warm.lease().then((l) => l.release()); // the next lease's page is then opened ahead
      const lease = await warm.lease();
      expect(lease.page).toMatch(/^about:blank#quire-run-[0-9a-f-]{36}$/);
      const watch = await connectBrowser(lease.endpoint!);
      const leased = await watch.waitForTarget((t) => t.url() === lease.page);
      const opened: string[] = [];
      watch.on('targetcreated', (t: { type(): string; url(): string }) => void (t.type() === 'page' && opened.push(t.url())));
      const dir = mkdtempSync(join(tmpdir(), 'quire-warm-page-'));
      const lines: string[] = [];
      const written = await writeExports(model, dir, ['pdf'], { browserEndpoint: lease.endpoint!, browserPage: lease.page!, logger: { log: (level, m) => lines.push(`${level} ${m}`) } });
      expect(written).toEqual({ pdf: 'report.pdf' });
      expect(lines).toContain('info pdf: printing in the shared browser');
      expect(opened).toEqual([]); // printed in the lease's page: no page opened for it
      await lease.release();
      expect(watch.targets()).not.toContain(leased);
      // The release opened the page of the next lease.
      expect((await warm.lease()).page).not.toBe(lease.page);
      await watch.disconnect();
    } finally {
      await warm.close();
    }
  });
});
