/**
 * `quire serve --scheduler` without a queue: runs the in-process scheduler starts (each in a child
 * process, bin/quire.js) are followed by the server like runs started from a page — their cell
 * events on the run's event stream, their progress on the notebook page.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { localScheduler } from '../../engine/server/local-scheduler.js';
import type { Scheduler } from '../../engine/schedule/scheduler.js';
import { testServer, type TestServer } from '../helpers/server.js';
import { BIN } from '../helpers/paths.js';

/** Reads an event stream until its text matches `until` (then stops reading) or it ends. */
async function readStream(res: Response, until?: RegExp): Promise<string> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return text;
    text += decoder.decode(value, { stream: true });
    if (until?.test(text)) {
      await reader.cancel();
      return text;
    }
  }
}

let server: TestServer | null = null;
let scheduler: Scheduler | null = null;
afterEach(async () => {
  await scheduler?.stop('test over', 0);
  await server?.close();
  scheduler = null;
  server = null;
});

describe('quire serve --scheduler without a queue', () => {
  it("a scheduled run is live on the pages: its cell events on the run's stream, its progress on the notebook page", async () => {
    server = testServer();
    // `slow` runs until it is stopped: its pages can be looked at while it runs.
    const slow = join(server.root, 'notebooks', 'slow.yaml');
    writeFileSync(slow, `${readFileSync(slow, 'utf8')}schedules:\n  - { name: often, cron: "0 7 * * *", timezone: UTC, retries: 0 }\n`);
    const lines: string[] = [];
    const waiters = new Set<() => void>();
    const logged = (re: RegExp) =>
      new Promise<RegExpExecArray>((resolve) => {
        const check = () => {
          const m = lines.map((l) => re.exec(l)).find(Boolean);
          if (m) {
            waiters.delete(check);
            resolve(m);
          }
        };
        waiters.add(check);
        check();
      });
    let now = Date.parse('2025-05-01T06:59:30Z');
    scheduler = localScheduler(server.ctx, {
      clock: () => now,
      bin: BIN,
      logger: {
        log: (level, m) => {
          lines.push(`${level} ${m}`);
          for (const w of [...waiters]) w();
        },
      },
    });
    scheduler.start();
    now = Date.parse('2025-05-01T07:00:00.100Z'); // sales' monthly and slow's daily tick are due
    await scheduler.step();

    const [, salesRun] = await logged(/run-started notebooks\/sales\.yaml#monthly .* run=(\S+)/);
    const events = await readStream(await server.req(`/api/v1/runs/${salesRun}/events`)); // ends with the run
    expect(events).toMatch(/event: started\n/);
    expect(events).toMatch(/event: cell-started\ndata: \{"cell":"by_region"\}/);
    expect(events).toMatch(/event: cell-finished\ndata: \{"cell":"chart","status":"succeeded"/);
    expect(events).toMatch(/event: finished\ndata: \{"id":"[^"]+","status":"succeeded"/);
    expect(server.ctx.index.find(salesRun!)).toMatchObject({ status: 'succeeded', trigger: 'schedule' }); // the runs index heard at once

    const [, slowRun] = await logged(/run-started notebooks\/slow\.yaml#often .* run=(\S+)/);
    const page = await (await server.req('/notebooks/slow')).text();
    expect(page).toMatch(new RegExp(`<div data-progress-slot><div class="card progress" data-progress data-run="${slowRun}"`));
    const live = await readStream(await server.req(`/api/v1/runs/${slowRun}/events`), /event: cell-finished\ndata: \{"cell":"quick","status":"succeeded"/);
    expect(live).toMatch(/event: cell-started\ndata: \{"cell":"slow"\}/);
    expect(live).not.toContain('event: finished');
    const runPage = await (await server.req(`/runs/${slowRun}`)).text();
    expect(runPage).toContain(`data-run="${slowRun}"`); // the live panel
    expect(runPage).not.toContain('data-cancel'); // its scheduler owns it
    expect((await server.req(`/api/v1/runs/${slowRun}/cancel`, { method: 'POST', json: {} })).status).toBe(409);
  });
});
