/** The report mail's body: headline, chart by Content-ID, a link from `report_url`, never a local path. */
import { describe, expect, it } from 'vitest';
import { reportLink } from '../../engine/deliver/compose.js';
import { emailHtml, emailText, type EmailContent } from '../../engine/deliver/html.js';
import { headlineOf } from '../../engine/deliver/summary.js';
import type { RunManifest } from '../../engine/runs/runs.js';

const content = (over: Partial<EmailContent> = {}): EmailContent => ({
  title: 'Monthly review',
  status: 'succeeded',
  runId: '20261101-060000Z-abc123',
  reportUrl: 'https://reports.example.com/runs/20261101-060000Z-abc123',
  chartCid: 'chart-1@run.quire',
  scheduledFor: null,
  startedAt: '2026-11-01T06:00:00Z',
  params: { month: '2026-10' },
  notes: [],
  attachments: ['report.pdf'],
  summary: {
    headline: ['Revenue rose to $52,195 in October.', 'Refunds <fell>.'],
    kpis: [],
    chart: { title: 'Revenue by region', svg: '<svg/>' },
    dataAsOf: null,
  },
  ...over,
});

describe('report email body', () => {
  it('shows the headline, the chart by Content-ID and the link to the full report', () => {
    const html = emailHtml(content());
    expect(html).toContain('Revenue rose to $52,195 in October.');
    expect(html).toContain('Refunds &lt;fell&gt;.');
    expect(html).toContain('<img src="cid:chart-1@run.quire" alt="Revenue by region"');
    expect(html).toContain('href="https://reports.example.com/runs/20261101-060000Z-abc123"');
    const text = emailText(content());
    expect(text).toContain('Revenue rose to $52,195 in October.\nRefunds <fell>.');
    expect(text).toContain('Full report: https://reports.example.com/runs/20261101-060000Z-abc123');
  });

  it('without report_url or a drawn chart: no link, no picture, and no folder path either', () => {
    const html = emailHtml(content({ reportUrl: null, chartCid: null }));
    expect(html).not.toMatch(/<a |<img |cid:|Run folder/);
    expect(emailText(content({ reportUrl: null }))).not.toMatch(/Full report|Run folder/);
  });

  it('fills {run_id} and {notebook} of report_url, URL-encoded', () => {
    const manifest = { id: 'r 1/2', notebook: { id: 'monthly review' } } as unknown as RunManifest;
    expect(reportLink('https://x.example/{notebook}/runs/{run_id}', manifest)).toBe('https://x.example/monthly%20review/runs/r%201%2F2');
    expect(reportLink(undefined, manifest)).toBeNull();
  });

  it("takes a text cell's paragraphs as plain text and shortens a long one", () => {
    expect(headlineOf('<h2>Summary</h2><p>We took <strong>1,204</strong> orders &amp; 3 refunds.</p><ul><li>EU up</li></ul>')).toEqual(['Summary', 'We took 1,204 orders & 3 refunds.', 'EU up']);
    expect(headlineOf('<p>In <strong>2026-10</strong> we took\n<strong>1,981</strong> orders.\nRevenue is up.</p>\n<p>Next<br>line</p>')).toEqual([
      'In 2026-10 we took 1,981 orders. Revenue is up.',
      'Next',
      'line',
    ]);
    const long = headlineOf(`<p>${'word '.repeat(400)}</p>`);
    expect(long).toHaveLength(1);
    expect(long[0]!.length).toBeLessThanOrEqual(702);
    expect(long[0]).toMatch(/word …$/);
  });
});
