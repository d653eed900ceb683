/** `quire templates list/show/use/gallery`, driven as a user would, and its bad inputs refused. */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stageProject } from '../../engine/templates/index.js';
import { quire } from '../helpers/cli.js';
import { project, useTemplatesProject, type Obj } from '../helpers/templates.js';

useTemplatesProject();

describe('quire templates (CLI)', () => {
  it('lists and shows the templates', () => {
    const list = quire(['templates', 'list', '--json'], project());
    expect(list.code).toBe(0);
    const all = JSON.parse(list.stdout);
    expect(all.length).toBeGreaterThanOrEqual(7);
    expect(all.find((t: Obj) => t.name === 'kpi-scorecard')).toMatchObject({ title: 'KPI scorecard', tags: expect.arrayContaining(['kpi']) });
    // The gallery shows each report's real page count; a description claiming one goes stale.
    for (const t of all as Obj[]) expect(String(t.description), String(t.name)).not.toMatch(/\b(one|single|two|\d+)[- ]pages?\b/i);
    const text = quire(['templates', 'list'], project()).stdout;
    expect(text).toContain('monthly-business-review');
    expect(text).toContain('params: month=previous_month region=all');
    const show = quire(['templates', 'show', 'saas-metrics'], project());
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('plan             select · one of all, basic, premium, enterprise · default all');
    expect(show.stdout).toMatch(/movements\s+query\s+Monthly MRR bridge/);
    expect(show.stdout).toContain('churned_mrr (metrics/subscriptions.yaml)');
  });

  it('uses a template: the notebook and its specs, then the command to run it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'quire-use-'));
    try {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: quire.yaml's ${VAR} environment substitution, not a JS template
      writeFileSync(join(dir, 'quire.yaml'), 'database: ${QUIRE_TEST_DB}\n');
      const r = quire(['templates', 'use', 'data-quality-report'], dir);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('created notebooks/data-quality-report.yaml');
      expect(r.stdout).toContain('wrote metrics/data-quality-report.yaml: metric dq_missing_emails');
      expect(r.stdout).toContain('quire run notebooks/data-quality-report.yaml');
      expect(readFileSync(join(dir, 'notebooks', 'data-quality-report.yaml'), 'utf8').split('\n')[0]).toMatch(/\$schema=.*schema\/notebook\.schema\.json$/);
      const run = quire(['run', 'notebooks/data-quality-report.yaml', '-p', 'as_of=2026-12-31', '--export', 'html'], dir);
      expect(run.code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an unknown template with a suggestion', () => {
    const r = quire(['templates', 'use', 'sales-analisys'], project());
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("unknown template 'sales-analisys' — did you mean 'sales-analysis'?");
    expect(quire(['templates', 'show', 'kpi-scorcard'], project()).stderr).toContain("did you mean 'kpi-scorecard'?");
  });

  it('never overwrites a notebook or a spec file without --force', () => {
    const dir = mkdtempSync(join(tmpdir(), 'quire-use-'));
    try {
      stageProject(dir, process.env.QUIRE_TEST_DB!);
      writeFileSync(join(dir, 'notebooks', 'review.yaml'), 'title: mine\n');
      const r = quire(['templates', 'use', 'saas-metrics', 'notebooks/review.yaml'], dir);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('notebooks/review.yaml already exists; not overwriting it');
      expect(r.stderr).toContain('--force');
      expect(readFileSync(join(dir, 'notebooks', 'review.yaml'), 'utf8')).toBe('title: mine\n');
      expect(existsSync(join(dir, 'metrics', 'saas-metrics.yaml'))).toBe(false);
      // the spec file is not overwritten either
      writeFileSync(join(dir, 'metrics', 'saas-metrics.yaml'), '# mine\n');
      const again = quire(['templates', 'use', 'saas-metrics', 'notebooks/other.yaml'], dir);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('metrics/saas-metrics.yaml already exists');
      expect(existsSync(join(dir, 'notebooks', 'other.yaml'))).toBe(false);
      const forced = quire(['templates', 'use', 'saas-metrics', 'notebooks/review.yaml', '--force'], dir);
      expect(forced.code).toBe(0);
      expect(forced.stdout).toContain('replaced notebooks/review.yaml');
      expect(readFileSync(join(dir, 'notebooks', 'review.yaml'), 'utf8')).toContain('SaaS metrics');
      expect(readFileSync(join(dir, 'metrics', 'saas-metrics.yaml'), 'utf8')).toContain('name: churned_mrr');
      // a second forced use finds its own specs and writes them again rather than losing them
      expect(quire(['templates', 'use', 'saas-metrics', 'notebooks/review.yaml', '--force'], dir).code).toBe(0);
      expect(readFileSync(join(dir, 'metrics', 'saas-metrics.yaml'), 'utf8')).toContain('name: churned_mrr');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses when the project defines a metric of the same name differently, naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'quire-use-'));
    try {
      stageProject(dir, process.env.QUIRE_TEST_DB!);
      mkdirSync(join(dir, 'metrics'), { recursive: true });
      writeFileSync(
        join(dir, 'metrics', 'money.yaml'),
        `${[
          'metric:',
          '  name: total_revenue',
          '  source: orders',
          '  time_column: order_date',
          '  aggregation: sum',
          '  numerator: "SUM(amount + discount)"',
          '---',
          'slice:',
          '  name: channel',
          '  column: channel',
        ].join('\n')}\n`,
      );
      const r = quire(['templates', 'use', 'monthly-business-review', '--force'], dir);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("metric 'total_revenue' differs from metrics/money.yaml:2 (numerator, filters, unit)");
      expect(r.stderr).not.toContain("'channel'"); // same definition: no clash
      expect(existsSync(join(dir, 'notebooks', 'monthly-business-review.yaml'))).toBe(false);
      expect(existsSync(join(dir, 'metrics', 'monthly-business-review.yaml'))).toBe(false);
      // a name the template defines in its notebook clashes with any project spec of that name
      writeFileSync(join(dir, 'metrics', 'money.yaml'), 'metric:\n  name: ab_conversion\n  source: orders\n  aggregation: count\n  numerator: "COUNT(*)"\n');
      const ab = quire(['templates', 'use', 'ab-experiment-readout'], dir);
      expect(ab.code).toBe(1);
      expect(ab.stderr).toContain("metric 'ab_conversion' is defined in the template notebook's definitions and in metrics/money.yaml:2");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('quire templates gallery', () => {
  it("builds an offline page with a legible picture of each report's first page, opening the report kept next to it", () => {
    const out = mkdtempSync(join(tmpdir(), 'quire-gallery-'));
    try {
      const r = quire(['templates', 'gallery', '--out', out, '--database', process.env.QUIRE_TEST_DB!, '--only', 'kpi-scorecard,data-quality-report'], project());
      expect(r.stderr).not.toMatch(/failed/);
      expect(r.code).toBe(0);
      const html = readFileSync(join(out, 'index.html'), 'utf8');
      expect(html.match(/<article class="card"/g)).toHaveLength(2);
      const pngs = [...html.matchAll(/src="data:image\/png;base64,([^"]+)"/g)].map((m) => Buffer.from(m[1], 'base64'));
      expect(pngs).toHaveLength(2);
      for (const png of pngs) {
        expect(png.subarray(1, 4).toString()).toBe('PNG');
        expect(png.readUInt32BE(16)).toBeGreaterThan(880); // 2× the 440 px it is shown at: small print stays legible
      }
      expect(html).toMatch(/<img [^>]*width="440"/);
      for (const name of ['kpi-scorecard', 'data-quality-report']) {
        const card = html.slice(html.indexOf(`<article class="card" id="${name}"`)).split('</article>')[0]!;
        // The picture and the links open the report, kept next to index.html.
        expect(card).toContain(`<a href="${name}/report.html" title="Open the full report"><img`);
        expect(card).toContain(`<a href="${name}/report.pdf">PDF</a>`);
        expect(readFileSync(join(out, name, 'report.html'), 'utf8')).toMatch(/^<!DOCTYPE html>/i);
        const pdf = join(out, name, 'report.pdf');
        expect(readFileSync(pdf).subarray(0, 5).toString()).toBe('%PDF-');
        // The badge is the PDF's real page count, and no description claims another.
        const pages = Number(/^Pages:\s+(\d+)/m.exec(execFileSync('pdfinfo', [pdf], { encoding: 'utf8' }))![1]);
        expect(card).toContain(`<span class="pages">${pages} page${pages === 1 ? '' : 's'}</span>`);
        if (pages !== 1) expect(card).not.toMatch(/one-page|single-page|one page/i);
      }
      expect(html).toContain('quire templates use kpi-scorecard');
      expect(html).toContain('max_refund_rate=0.07');
      expect(html).not.toMatch(/(src|href)="(https?:)?\/\//); // nothing loaded from the network
      expect(html).not.toMatch(/<script/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
