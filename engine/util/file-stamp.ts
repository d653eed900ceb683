import { statSync } from 'node:fs';

/** A file's size and modification time as text ('missing' when it isn't there): equal stamps, unchanged file. */
export function fileStamp(path: string): string {
  try {
    const s = statSync(path);
    return `${s.size}:${s.mtimeMs}`;
  } catch {
    return 'missing';
  }
}
