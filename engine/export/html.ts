/** report.html: the interactive report in its theme, with a banner when another format failed. */
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic.js';
import { withFailures, type Exporter } from './exporter.js';

export const htmlExporter: Exporter<'html'> = {
  format: 'html',
  file: 'report.html',
  mediaType: 'text/html',
  needs: { interactiveCharts: true, othersFailures: true },
  attachByDefault: false,
  async write(model, runDir, ctx) {
    const { model: prepared, failures: broken } = await ctx.charts(model.theme ?? 'light');
    for (const b of broken) ctx.logger?.log('warn', `chart ${b.cellId} could not be drawn: ${b.error}`);
    const shown = withFailures(prepared, ctx.failures);
    // Loaded here, not at the top: `quire validate` reads this registry and never renders.
    const { renderHtml } = await import('../report/html.js');
    writeFileAtomic(join(runDir, this.file), renderHtml(shown));
  },
};
