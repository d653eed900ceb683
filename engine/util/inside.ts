import { isAbsolute, relative, resolve } from 'node:path';
import { UserError } from './errors.js';

/** Whether `target` is `base` itself or lies under it (after resolving `..`). */
export function isInside(base: string, target: string): boolean {
  const rel = relative(resolve(base), resolve(target));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * Checks that a folder or file Quire is about to write or delete lies strictly under the place
 * it owns (`what`: "the cache folder", "the runs folder"...); a name like `../../x` is refused.
 * Returns the resolved target.
 */
export function insideOrThrow(base: string, target: string, what: string): string {
  const full = resolve(target);
  if (!isInside(base, full) || full === resolve(base)) {
    throw new UserError('E_PATH_OUTSIDE', `'${target}' is outside ${what} (${resolve(base)}); refusing to write or delete there`, {
      hint: 'give a plain name (letters, digits, - and _), without `..` or a leading /',
    });
  }
  return full;
}
