import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { cellTypes } from '../../cells/index.js';
import { runNotebook, validateNotebook, ValidationErrors } from '../../engine/index.js';
import { fixtureProject } from '../helpers/cli.js';
import { FIXTURES } from '../helpers/paths.js';

/**
 * The conformance notebooks of shared/spec/examples (copied into test/fixtures/conformance).
 * Each must validate and run green; one whose cell types are not all built yet must fail
 * validation with exactly "unknown cell type" for those, and nothing else.
 */
const dir = join(FIXTURES, 'conformance');
const examples = readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== 'quire.yaml');
const registered = new Set(cellTypes.map((c) => c.type));

describe.each(examples)('conformance example %s', (file) => {
  const types = (parse(readFileSync(join(dir, file), 'utf8')).cells as { type: string }[]).map((c) => c.type);
  const missing = [...new Set(types.filter((t) => !registered.has(t)))];

  if (missing.length === 0) {
    it('validates and runs green on the demo data', async () => {
      const project = fixtureProject('conformance');
      await validateNotebook(join(project, file));
      const { manifest } = await runNotebook(join(project, file));
      expect(manifest.cells.filter((c) => c.status !== 'succeeded')).toEqual([]);
      expect(manifest.status).toBe('succeeded');
    });
  } else {
    it(`is pending cell types ${missing.join(', ')}: validation names only those`, async () => {
      const err = await validateNotebook(join(dir, file)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationErrors);
      const errors = (err as ValidationErrors).errors;
      expect(errors.map((e) => e.code)).toEqual(types.filter((t) => !registered.has(t)).map(() => 'E_CELL_TYPE_UNKNOWN'));
    });
  }
});
