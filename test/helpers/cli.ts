import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, FIXTURES } from './paths.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `quire <args>` as a user would: a separate node process. */
export function quire(args: string[], cwd: string, env: Record<string, string> = {}): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function quireAsync(args: string[], cwd: string, env: Record<string, string> = {}) {
  return spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: '1', ...env } });
}

/** A fresh copy of test/fixtures/<name> in a temp dir (runs land there, not in the repo). */
export function fixtureProject(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `quire-${name}-`));
  cpSync(join(FIXTURES, name), dir, { recursive: true });
  return dir;
}

/** run.json of every run of `notebookId` under dir/runs. */
export function manifests(dir: string, notebookId: string): Record<string, any>[] {
  const base = join(dir, 'runs', notebookId);
  if (!existsSync(base)) return [];
  // Earlier attempts kept in .attempts/ (and other dot-folders) are not runs of their own.
  return readdirSync(base)
    .filter((id) => !id.startsWith('.'))
    .map((id) => JSON.parse(readFileSync(join(base, id, 'run.json'), 'utf8')));
}
