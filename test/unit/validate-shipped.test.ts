/**
 * Every notebook Quire ships validates clean: the templates (used into a project next to the
 * starter metrics), notebooks/, docs/examples/ and the spec's conformance examples. A check that
 * `quire validate` gains must not make any of them fail.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateNotebook, ValidationErrors } from '../../engine/index.js';
import { listTemplates, stageProject, useTemplate } from '../../engine/templates/index.js';
import { fixtureProject } from '../helpers/cli.js';
import { DEMO_NOTEBOOKS, REPO, STARTER_METRICS } from '../helpers/paths.js';

const yamls = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== 'quire.yaml');

/** The problems validate finds, as `file:line:col code message` lines (none: []). */
async function problems(path: string): Promise<string[]> {
  try {
    await validateNotebook(path);
    return [];
  } catch (err) {
    if (!(err instanceof ValidationErrors)) throw err;
    return err.errors.map((e) => `${e.location?.file}:${e.location?.line}:${e.location?.col} ${e.code} ${e.message}`);
  }
}

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

describe('every shipped notebook validates clean', () => {
  it('the templates and notebooks/, in a project on the test warehouse with the starter metrics', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quire-shipped-'));
    made.push(dir);
    stageProject(dir, process.env.QUIRE_TEST_DB!);
    for (const f of STARTER_METRICS) copyFileSync(join(REPO, 'metrics', `${f}.yaml`), join(dir, 'metrics', `${f}.yaml`));
    const demo = DEMO_NOTEBOOKS.map((n) => `${n}.yaml`);
    for (const f of demo) copyFileSync(join(REPO, 'notebooks', f), join(dir, 'notebooks', f));
    const templates = listTemplates();
    for (const t of templates) await useTemplate({ name: t.name, cwd: dir });
    const notebooks = yamls(join(dir, 'notebooks'));
    expect(notebooks.length).toBe(demo.length + templates.length);
    for (const f of notebooks) expect(await problems(join(dir, 'notebooks', f)), f).toEqual([]);
  });

  it('the conformance examples of the spec', async () => {
    const dir = fixtureProject('conformance');
    made.push(dir);
    const examples = yamls(dir);
    expect(examples.length).toBeGreaterThan(0);
    for (const f of examples) expect(await problems(join(dir, f)), f).toEqual([]);
  });

  it('docs/examples', async () => {
    // The PostgreSQL example's quire.yaml reads its URL from the environment; validate never connects.
    vi.stubEnv('WAREHOUSE_URL', 'postgres://nobody@127.0.0.1:1/none');
    try {
      const base = join(REPO, 'docs', 'examples');
      const dirs = readdirSync(base);
      expect(dirs.length).toBeGreaterThan(0);
      for (const d of dirs) for (const f of yamls(join(base, d))) expect(await problems(join(base, d, f)), `${d}/${f}`).toEqual([]);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
