import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunIndex } from '../../engine/runs/index-file.js';
import { fakeManifest, writeFakeRuns } from '../helpers/fake-runs.js';

const fresh = (runsDir: string) => new RunIndex(runsDir, { minRefreshMs: 0 });

describe('runs index', () => {
  it('pages and filters runs newest first, and serves a page from its file without reading run.json files', () => {
    const runsDir = mkdtempSync(join(tmpdir(), 'quire-index-'));
    const all = writeFakeRuns(runsDir, ['sales', 'churn'], 600);
    const index = fresh(runsDir);
    const page = index.query({}, 50, 50);
    expect(page.total).toBe(1200);
    const newest = [...all].sort((a, b) => b.started_at.localeCompare(a.started_at));
    expect(page.runs.map((r) => r.id)).toEqual(newest.slice(50, 100).map((m) => m.id));
    expect(index.query({ notebook: 'churn' }).total).toBe(600);
    expect(index.query({ status: 'failed' }).total).toBe(120);
    expect(index.query({ startedBy: 'bo', notebook: 'sales' }).total).toBe(0); // sales runs are the even ones: ana
    expect(index.query({ from: '2025-01-01T10:00:00Z', to: '2025-01-01T10:59:59Z' }).total).toBe(60);
    expect(index.query({ to: '2025-01-01' }).total).toBe(1200);
    index.save();
    expect(existsSync(index.file)).toBe(true);

    // Damage every run.json: an index loaded from its file still serves the page (it read none of them).
    for (const m of all) writeFileSync(join(runsDir, m.notebook.id, m.id, 'run.json'), '{ damaged');
    const reloaded = fresh(runsDir);
    expect(reloaded.query({}, 50, 50).runs.map((r) => r.id)).toEqual(newest.slice(50, 100).map((m) => m.id));
  });

  it('follows the run folders: a new run, a removed one, a running run that ended; a missing index file is rebuilt', () => {
    const runsDir = mkdtempSync(join(tmpdir(), 'quire-index-'));
    writeFakeRuns(runsDir, ['sales'], 20);
    const index = fresh(runsDir);
    expect(index.query().total).toBe(20);
    index.save();

    const running = fakeManifest('sales', 5000, { status: 'running', finished_at: null });
    mkdirSync(join(runsDir, 'sales', running.id));
    writeFileSync(join(runsDir, 'sales', running.id, 'run.json'), JSON.stringify(running));
    utimesSync(join(runsDir, 'sales'), new Date(), new Date(Date.now() + 5000)); // the folder's mtime moved
    expect(index.query().runs[0]).toMatchObject({ id: running.id, status: 'running' });

    writeFileSync(join(runsDir, 'sales', running.id, 'run.json'), JSON.stringify({ ...running, status: 'succeeded', finished_at: running.started_at }));
    utimesSync(join(runsDir, 'sales', running.id, 'run.json'), new Date(), new Date(Date.now() + 10_000));
    expect(index.query().runs[0]).toMatchObject({ id: running.id, status: 'succeeded' });

    const gone = index.query().runs[1].id;
    rmSync(join(runsDir, 'sales', gone), { recursive: true });
    utimesSync(join(runsDir, 'sales'), new Date(), new Date(Date.now() + 20_000));
    expect(index.query().runs.map((r) => r.id)).not.toContain(gone);
    expect(index.query().total).toBe(20);

    rmSync(index.file);
    expect(fresh(runsDir).query().total).toBe(20);
    writeFileSync(index.file, 'not json\n');
    expect(fresh(runsDir).query().total).toBe(20);
  });
});
