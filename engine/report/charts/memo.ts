/**
 * Drawn charts kept on disk (`<runs dir>/.cache/.charts/<sha256>.json`), keyed by everything the
 * drawing depends on: the chart's spec (its data inline), the theme, whether the Vega spec is
 * kept for interactivity, and the versions of quire and the chart libraries. A rerun whose charts
 * did not change skips Vega. A file that can't be read is redrawn, never trusted.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { canonicalJson } from '../../util/hash.js';
import type { RenderedChart } from '../../outputs.js';

/** The folder under the cache dir (a name no notebook id can have). */
export const CHARTS_DIR = '.charts';
/** Charts kept; the oldest beyond this are removed. */
const KEEP = 2000;

export interface ChartMemo {
  get(key: string): RenderedChart | null;
  set(key: string, chart: RenderedChart): void;
}

/** The key of one drawing. `libraries` names the renderer versions. */
export function chartKey(spec: unknown, theme: string, interactive: boolean, libraries: string): string {
  return createHash('sha256').update(canonicalJson({ spec, theme, interactive, libraries })).digest('hex');
}

/** `read: false` (`--no-cache`) draws every chart again and still keeps the new drawings. */
export function diskChartMemo(dir: string, opts: { read?: boolean } = {}): ChartMemo {
  let written = 0;
  return {
    get(key) {
      if (opts.read === false) return null;
      try {
        const parsed = JSON.parse(readFileSync(join(dir, `${key}.json`), 'utf8')) as { key?: string; chart?: RenderedChart };
        return parsed.key === key && typeof parsed.chart?.svg === 'string' ? parsed.chart : null;
      } catch {
        return null;
      }
    },
    set(key, chart) {
      if (chart.error || !chart.svg) return;
      try {
        mkdirSync(dir, { recursive: true });
        const file = join(dir, `${key}.json`);
        const tmp = `${file}.${process.pid}.tmp`;
        writeFileSync(tmp, JSON.stringify({ key, chart }));
        renameSync(tmp, file);
        if (++written === 1) prune(dir);
      } catch {
        /* a memo that can't be written only costs a redraw next time */
      }
    },
  };
}

function prune(dir: string): void {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  if (files.length <= KEEP) return;
  const byAge = files.map((f) => ({ f, t: statSync(join(dir, f)).mtimeMs })).sort((a, b) => b.t - a.t);
  for (const { f } of byAge.slice(KEEP)) unlinkSync(join(dir, f));
}

let versions: string | undefined;
/** `vega@x vega-lite@y`, read from the installed packages without loading them. */
export function chartLibraries(): string {
  versions ??= ['vega', 'vega-lite']
    .map((name) => {
      try {
        const entry = fileURLToPath(import.meta.resolve(name));
        const marker = `${sep}node_modules${sep}${name}${sep}`;
        const root = entry.slice(0, entry.lastIndexOf(marker) + marker.length);
        return `${name}@${(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version}`;
      } catch {
        return `${name}@unknown`;
      }
    })
    .join(' ');
  return versions;
}
