import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixtureProject, manifests } from '../helpers/cli.js';
import { BIN } from '../helpers/paths.js';

describe('closed stdout/stderr', () => {
  it('`quire run ... | head -1`: the run stops and is stored as failed, without a stack trace in its log', async () => {
    const dir = fixtureProject('slow');
    const child = spawn(process.execPath, [BIN, 'run', 'notebook.yaml'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    // Like `head -1`: read the first bytes, then close the pipes.
    await new Promise<void>((resolve) => child.stderr.once('data', () => resolve()));
    child.stdout.destroy();
    child.stderr.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(1);
    const [m] = manifests(dir, 'notebook');
    expect(m.status).toBe('failed');
    expect(m.error).toMatch(/closed stdout\/stderr \(EPIPE\)/);
    const log = readFileSync(join(dir, 'runs', 'notebook', m.id, 'run.log'), 'utf8');
    expect(log).not.toMatch(/\n\s+at /);
  });
});
