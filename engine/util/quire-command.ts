import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * How the user can call Quire from a shell: `quire` when it is on PATH, else `npx quire` (a
 * project that installed it as a dependency only reaches it through npx).
 */
export function quireCommand(env: NodeJS.ProcessEnv = process.env): string {
  const names = process.platform === 'win32' ? ['quire.cmd', 'quire.exe'] : ['quire'];
  const dirs = (env.PATH ?? env.Path ?? '').split(delimiter).filter(Boolean);
  return dirs.some((dir) => names.some((n) => existsSync(join(dir, n)))) ? 'quire' : 'npx quire';
}
