import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { UserError } from '../util/errors.js';

/** The `[dir]` argument of serve, scheduler, worker, schedule list: an existing folder, absolute (a typo must not start a server or scheduler on nothing). */
export function projectDir(dir: string): string {
  const root = resolve(dir);
  if (!existsSync(root) || !statSync(root).isDirectory())
    throw new UserError('E_PROJECT_MISSING', `no project folder ${dir}`, { hint: 'give the folder of the project (where quire.yaml is), or run the command inside it' });
  return root;
}
