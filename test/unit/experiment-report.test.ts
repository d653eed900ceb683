// The experiment scorecard in the HTML report: bars coloured by significance and polarity, the
// control without a bar, a sample-ratio mismatch called out, user values escaped.
import { describe, expect, it } from 'vitest';
import { renderExperiment } from '../../engine/report/html/experiment.js';
import type { ExperimentOutput, TableValue } from '../../engine/outputs.js';
import { READOUT_COLUMNS } from '../../cells/experiment/readout.js';

function output(rows: TableValue[][], over: Partial<ExperimentOutput> = {}): ExperimentOutput {
  return {
    kind: 'experiment',
    table: { kind: 'table', columns: READOUT_COLUMNS.map((c) => ({ name: c.name, type: c.type })), rows, rowCount: rows.length },
    control: 'control',
    alpha: 0.05,
    correction: 'holm',
    units: [
      { variant: 'control', units: 1000 },
      { variant: '<b>new</b>', units: 1010 },
    ],
    excludedUnits: 0,
    srmPValue: 0.82,
    metrics: [{ name: 'refund_rate', kind: 'proportion', method: 'z', good: 'down' }],
    ...over,
  };
}

const control: TableValue[] = ['control', 'refund_rate', 'z', 1000, 0.1, null, null, null, null, null, null, null, null, 0.82];
const treated = (significant: boolean): TableValue[] => ['<b>new</b>', 'refund_rate', 'z', 1010, 0.13, 0.03, 0.3, 0.004, 0.056, 0.02, 0.02, significant, null, 0.82];

describe('experiment scorecard', () => {
  it('draws a significant rise of a metric whose good direction is down in red, in percentage points', () => {
    const html = renderExperiment(output([control, treated(true)]));
    expect(html).toContain('class="qx-scorecard"');
    expect(html).toContain('<span class="qx-bad">+3 pp</span>');
    expect(html).toContain('qx-bar qx-bad');
    expect(html).toContain('p-value (Holm)');
    expect(html).toContain('&lt;b&gt;new&lt;/b&gt;');
    expect(html).not.toContain('<b>new</b>');
    // the control row has no interval bar, only the zero line
    expect(html.match(/qx-bar/g)).toHaveLength(1);
  });

  it('draws a non-significant change grey, and calls out a sample-ratio mismatch', () => {
    const html = renderExperiment(output([control, treated(false)], { srmPValue: 0.00001 }));
    expect(html).toContain('qx-bar qx-neutral');
    expect(html).toContain('Sample ratio mismatch: p = &lt;0.0001');
  });
});
