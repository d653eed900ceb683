/**
 * The chart picture of a report mail: the chart's SVG as a PNG (resvg, 2× for sharp screens),
 * written into the run folder so the outbox can attach it inline (Content-ID) on every attempt.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { CHART_FONT, chartBackground } from '../report/charts/theme.js';
import type { InlineImage } from './record.js';

export const EMAIL_CHART_FILE = 'email-chart.png';

/** Writes the PNG of `svg` into `runDir`; null when it cannot be drawn or written (the mail goes without it). */
export function writeChartImage(runDir: string, runId: string, svg: string): InlineImage | null {
  let png: Buffer;
  try {
    const family = CHART_FONT.split(',').map((f) => f.trim().replace(/"/g, ''));
    const r = new Resvg(svg, {
      fitTo: { mode: 'zoom', value: 2 },
      background: chartBackground('light'),
      font: { loadSystemFonts: true, defaultFontFamily: family.includes('Liberation Sans') ? 'Liberation Sans' : family[0] },
    });
    png = r.render().asPng();
    writeFileSync(join(runDir, EMAIL_CHART_FILE), png);
  } catch {
    return null;
  }
  const sha256 = createHash('sha256').update(png).digest('hex');
  return { file: EMAIL_CHART_FILE, filename: 'chart.png', size: png.length, sha256, cid: `chart-${sha256.slice(0, 12)}@${runId.replace(/[^A-Za-z0-9.-]/g, '-')}.quire` };
}
