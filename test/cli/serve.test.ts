import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { fixtureProject, quire, quireAsync } from '../helpers/cli.js';

/** Resolves with the first stdout line matching `re`. */
function lineOf(child: ReturnType<typeof quireAsync>, re: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (d) => {
      text += d;
      const m = re.exec(text);
      if (m) resolve(m);
    });
    child.once('exit', (code) => reject(new Error(`quire serve exited (${code}) before printing ${re}: ${text}`)));
  });
}

describe('quire tokens and quire serve', () => {
  it('makes, lists and revokes tokens (stored hashed); serve refuses another host without one, and serves with one', async () => {
    const dir = fixtureProject('serve');
    const refused = quire(['serve', '.', '--host', '0.0.0.0', '--port', '0'], dir);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('E_SERVE_NO_AUTH');

    const made = quire(['tokens', 'create', '--role', 'runner', '--name', 'ana', '--json'], dir);
    expect(made.code).toBe(0);
    const { token, id } = JSON.parse(made.stdout) as { token: string; id: string };
    const stored = readFileSync(join(dir, '.quire', 'tokens.json'), 'utf8');
    expect(stored).not.toContain(token);
    expect(stored).toContain('"role": "runner"');
    expect(quire(['tokens', 'list'], dir).stdout).toMatch(new RegExp(`${id}\\s+runner\\s+ana`));
    expect(quire(['tokens', 'create', '--role', 'root'], dir).stderr).toContain('E_BAD_ARGUMENT');
    const twice = quire(['tokens', 'create', '--role', 'viewer', '--name', 'ana'], dir);
    expect([twice.code, twice.stderr]).toEqual([1, expect.stringContaining('E_TOKEN_NAME_TAKEN')]);

    const child = quireAsync(['serve', '.', '--host', '127.0.0.1', '--port', '0'], dir);
    try {
      const [, url] = await lineOf(child, /quire serve: (http:\/\/\S+)/);
      expect((await fetch(`${url}/api/v1/notebooks`)).status).toBe(401);
      const auth = { authorization: `Bearer ${token}` };
      const list = (await (await fetch(`${url}/api/v1/notebooks`, { headers: auth })).json()) as { id: string }[];
      expect(list.map((n) => n.id).sort()).toEqual(['sales', 'slow']);
      const res = await fetch(`${url}/api/v1/runs`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ notebook: 'sales', params: { month: '2025-03' } }),
      });
      expect(res.status).toBe(202);
      const { id: runId } = (await res.json()) as { id: string };
      const events = await (await fetch(`${url}/api/v1/runs/${runId}/events`, { headers: auth })).text(); // ends with the run
      expect(events).toMatch(/event: finished\ndata: \{"id":"[^"]+","status":"succeeded"/);
      const manifest = JSON.parse(readFileSync(join(dir, 'runs', 'sales', runId, 'run.json'), 'utf8'));
      expect(manifest).toMatchObject({ status: 'succeeded', started_by: 'ana', trigger: { kind: 'api' } });
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    expect(quire(['tokens', 'revoke', 'ana'], dir).code).toBe(0);
    expect(quire(['tokens', 'list', '--json'], dir).stdout.trim()).toBe('[]');
  });

  it('a port in use and a missing folder are typed errors, not crashes', async () => {
    const dir = fixtureProject('serve');
    const taken = createServer().listen(0, '127.0.0.1');
    await once(taken, 'listening');
    try {
      const r = quire(['serve', '.', '--port', String((taken.address() as AddressInfo).port)], dir);
      expect([r.code, r.stderr]).toEqual([1, expect.stringContaining('E_PORT_IN_USE')]);
      expect(r.stderr).not.toContain('internal error');
    } finally {
      taken.close();
    }
    expect(quire(['serve', 'no-such-folder'], dir).stderr).toContain('E_PROJECT_MISSING');
  });

  it('quire run records the OS user as started_by', () => {
    const dir = fixtureProject('serve');
    const r = quire(['run', 'notebooks/sales.yaml', '-p', 'month=2025-03', '--json'], dir);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).started_by).toMatch(/\S/);
  });
});
