import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runNotebook } from '../../engine/exec/run.js';

/** A project (not the working folder) with partials/footer.md, a secret .env beside it, and one text cell. */
function project(markdown: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'quire-liquid-'));
  mkdirSync(join(dir, 'partials'));
  writeFileSync(join(dir, 'partials', 'footer.md'), 'Footer {{ params.f }}');
  writeFileSync(join(dir, '.env'), 'SECRET=hunter2');
  writeFileSync(join(dir, 'quire.yaml'), '');
  const params = 'params:\n  f: { type: string, default: footer.md }\n  n: { type: number, default: 3 }\n';
  writeFileSync(join(dir, 'nb.yaml'), `title: T\n${params}cells:\n  - id: t\n    type: text\n    markdown: ${JSON.stringify(markdown)}\n`);
  return join(dir, 'nb.yaml');
}

async function render(markdown: string, params: Record<string, unknown> = {}) {
  const { manifest, dir } = await runNotebook(project(markdown), { params, exports: ['html'] });
  const { readFileSync } = await import('node:fs');
  return { cell: manifest.cells[0], html: readFileSync(join(dir, 'report.html'), 'utf8') };
}

describe('Liquid in text cells: includes stay in partials/, renders are bounded', () => {
  it('includes a partial of the project whatever the working folder', async () => {
    const { cell, html } = await render("{% include 'footer.md' %}");
    expect(cell.status).toBe('succeeded');
    expect(html).toContain('Footer footer.md');
  });

  it('a param-named include cannot reach outside partials/', async () => {
    for (const f of ['../.env', join(tmpdir(), '..', 'etc', 'hostname'), '.env']) {
      const { cell, html } = await render('{% include params.f %}', { f });
      expect(cell.status).toBe('failed');
      expect(cell.error?.code).toBe('E_LIQUID_RENDER');
      expect(cell.error?.hint).toContain('partials/');
      expect(html).not.toContain('hunter2');
    }
  });

  it('a loop bounded by a param fails fast with a clear error', async () => {
    const t0 = performance.now();
    const { cell } = await render('{% for i in (1..params.n) %}x{% endfor %}', { n: 30_000_000 });
    expect(cell.status).toBe('failed');
    expect(cell.error?.message).toMatch(/limit exceeded/);
    expect(cell.error?.hint).toMatch(/loop or value grew too big/);
    expect(performance.now() - t0).toBeLessThan(15_000);
  });
});
