import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../helpers/paths.js';

const README = readFileSync(join(REPO, 'README.md'), 'utf8');

describe('the README', () => {
  it('links and names only files the repository holds', () => {
    const links = [...README.matchAll(/\]\(([^)#\s]+)\)/g)].map((m) => m[1]!).filter((l) => !/^[a-z]+:/.test(l));
    const specs = [...README.matchAll(/`([\w./-]+\.md)`/g)].map((m) => m[1]!);
    const missing = [...links, ...specs].filter((p) => p.startsWith('..') || !existsSync(join(REPO, p)));
    expect(links.length).toBeGreaterThan(0);
    expect(missing).toEqual([]);
  });

  it('says in the Quick start that the PDF needs Chromium, how to install it, and what happens without it', () => {
    const quickStart = README.slice(README.indexOf('## Quick start'), README.indexOf('\n## ', README.indexOf('## Quick start') + 1));
    expect(quickStart).toContain('Chromium');
    expect(quickStart).toContain('apt-get install -y chromium');
    expect(quickStart).toContain('PUPPETEER_EXECUTABLE_PATH');
    expect(quickStart).toMatch(/Without it the HTML and Excel reports are still\s+written/);
  });
});
