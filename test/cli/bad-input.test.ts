import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixtureProject, manifests, quire } from '../helpers/cli.js';

/** Each bad input: a typed error, a non-zero exit, nothing marked succeeded. */
describe('bad input', () => {
  it('malformed YAML is located', () => {
    const dir = fixtureProject('malformed-yaml');
    const r = quire(['run', 'notebook.yaml'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/notebook\.yaml:\d+:\d+: error\[E_YAML\]/);
    expect(manifests(dir, 'notebook')).toEqual([]);
  });

  it('a missing title or cells is named', () => {
    const t = quire(['validate', 'notebook.yaml'], fixtureProject('missing-title'));
    expect(t.code).toBe(1);
    expect(t.stderr).toContain('error[E_SCHEMA]: title is required');
    const c = quire(['validate', 'notebook.yaml'], fixtureProject('missing-cells'));
    expect(c.code).toBe(1);
    expect(c.stderr).toContain('cells is required');
  });

  it('params: wrong type, option not allowed, unknown name, required missing', () => {
    const dir = fixtureProject('conformance');
    const wrongType = quire(['run', 'region-month.yaml', '-p', 'month=2026-13'], dir);
    expect(wrongType.code).toBe(1);
    expect(wrongType.stderr).toContain('E_PARAM_TYPE');
    expect(wrongType.stderr).toContain('month');
    const option = quire(['run', 'region-month.yaml', '-p', 'region=Mars'], dir);
    expect(option.code).toBe(1);
    expect(option.stderr).toContain('E_PARAM_OPTION');
    expect(option.stderr).toContain('APAC');
    const unknown = quire(['run', 'region-month.yaml', '-p', 'regoin=EU'], dir);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('E_PARAM_UNKNOWN');
    expect(unknown.stderr).toContain('did you mean "region"');
    expect(manifests(dir, 'region-month')).toEqual([]);
  });

  it('a required param not given fails before any cell runs', () => {
    const dir = fixtureProject('injection');
    const nb = readFileSync(join(dir, 'notebook.yaml'), 'utf8').replace('q: { type: string, default: "x" }', 'q: { type: string }');
    writeFileSync(join(dir, 'notebook.yaml'), nb);
    const r = quire(['run', 'notebook.yaml'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('E_PARAM_REQUIRED');
    expect(manifests(dir, 'notebook')).toEqual([]);
  });

  it('a chart field or a Liquid column the data lacks: validate names it at file:line:col with the closest columns', () => {
    const dir = fixtureProject('column-refs');
    const bad = quire(['validate', 'bad.yaml'], dir);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("bad.yaml:21:8: error[E_VIZ_FIELD]: cell bar: field 'regoin' is not a column of by_region — did you mean 'region'?");
    expect(bad.stderr).toContain('hint: columns of by_region, closest first: region, revenue, orders');
    expect(bad.stderr).toContain("bad.yaml:47:31: error[E_LIQUID_UNKNOWN_COLUMN]: cell summary: 'ordres' in {{ kpis.first.ordres }} is not a column of kpis — did you mean 'orders'?");
    expect(bad.stderr).toContain('bad.yaml: 11 problems found');
    const good = quire(['validate', 'good.yaml'], dir);
    expect(good.stderr).toBe('');
    expect(good.code).toBe(0);
  });

  it('a cycle is named in order', () => {
    const r = quire(['validate', 'notebook.yaml'], fixtureProject('cycle'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('dependency cycle: a -> b -> c -> a');
    expect(r.stderr).toMatch(/notebook\.yaml:3:\d+/);
  });

  it('a self-dependency and unknown references are located', () => {
    const self = quire(['validate', 'notebook.yaml'], fixtureProject('self-dependency'));
    expect(self.code).toBe(1);
    expect(self.stderr).toMatch(/notebook\.yaml:6:\d+: error\[E_SELF_DEPENDENCY\]: cell a depends on itself/);
    const unknown = quire(['validate', 'notebook.yaml'], fixtureProject('unknown-reference'));
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("depends on unknown cell 'aa' — did you mean 'a'?");
    expect(unknown.stderr).toContain("unknown cell 'nothing_like_it'");
  });

  it('SQL that fails at run time names the cell and shows the SQL line', () => {
    const dir = fixtureProject('runtime-sql-error');
    const r = quire(['run', 'notebook.yaml'], dir);
    expect(r.code).toBe(1);
    const [m] = manifests(dir, 'notebook');
    expect(m.status).toBe('failed');
    const broken = m.cells.find((c: { id: string }) => c.id === 'broken');
    expect(broken.status).toBe('failed');
    expect(broken.error.message).toContain('cell broken failed');
    expect(broken.error.message).toContain('no_such_column');
    expect(broken.error.location).toBe('notebook.yaml:10:14');
    expect(broken.error.snippet).toContain('no_such_column');
    expect(m.cells.find((c: { id: string }) => c.id === 'after').status).toBe('skipped');
    const html = readFileSync(join(dir, 'runs', 'notebook', m.id, 'report.html'), 'utf8');
    expect(html).toContain('no_such_column');
  });

  it('a param value with SQL in it is bound, never spliced', () => {
    const dir = fixtureProject('injection');
    const evil = "x'; DROP TABLE orders; --";
    const r = quire(['run', 'notebook.yaml', '-p', `q=${evil}`, '--json'], dir);
    expect(r.code).toBe(0);
    const m = JSON.parse(r.stdout);
    expect(m.status).toBe('succeeded');
    expect(m.params.q).toBe(evil);
    const html = readFileSync(m.report, 'utf8');
    expect(html).toContain('x&#39;; DROP TABLE orders; --');
    // orders survived: the echo cell counted them after binding the value
    expect(m.cells.find((c: { id: string }) => c.id === 'echo').rows).toBe(1);
    const again = quire(['run', 'notebook.yaml', '--json'], dir);
    expect(JSON.parse(again.stdout).status).toBe('succeeded');
  });

  it('a write statement without mode: write is rejected before it runs', () => {
    const dir = fixtureProject('write-statement');
    const v = quire(['validate', 'notebook.yaml'], dir);
    expect(v.code).toBe(1);
    expect(v.stderr).toMatch(/notebook\.yaml:5:\d+: error\[E_SQL_WRITE\]/);
    expect(v.stderr).toContain('mode: write');
    const r = quire(['run', 'notebook.yaml'], dir);
    expect(r.code).toBe(1);
    expect(manifests(dir, 'notebook')).toEqual([]);
  });

  it('a missing data file fails the cell with the path and a hint', () => {
    const dir = fixtureProject('missing-file');
    const r = quire(['run', 'notebook.yaml'], dir);
    expect(r.code).toBe(1);
    const [m] = manifests(dir, 'notebook');
    expect(m.status).toBe('failed');
    expect(m.cells[0].error.message).toContain('not-there.parquet');
    expect(m.cells[0].error.hint).toContain('project root');
  });

  it('a notebook path that does not exist', () => {
    const r = quire(['run', 'nope.yaml'], fixtureProject('cycle'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error[E_NOTEBOOK_MISSING]: notebook not found: nope.yaml');
  });

  it('a missing environment variable in quire.yaml is named', () => {
    const dir = fixtureProject('missing-file');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: quire.yaml's ${VAR} environment substitution, not a JS template
    writeFileSync(join(dir, 'quire.yaml'), 'database: ${QUIRE_NOT_SET_ANYWHERE}\n');
    const r = quire(['run', 'notebook.yaml'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/quire\.yaml:1:\d+: error\[E_ENV_MISSING\]: environment variable QUIRE_NOT_SET_ANYWHERE is not set/);
  });

  it('a missing environment variable in a connection is one located error, not a second E_SCHEMA about the emptied value', () => {
    const dir = fixtureProject('missing-file');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: quire.yaml's ${VAR} environment substitution, not a JS template
    writeFileSync(join(dir, 'quire.yaml'), 'connections:\n  wh:\n    type: postgres\n    url: ${QUIRE_NOPE_URL}\n  files:\n    type: duckdb\n    path: ${QUIRE_NOPE_PATH}\n    bogus: 1\n');
    for (const args of [
      ['validate', 'notebook.yaml'],
      ['run', 'notebook.yaml'],
    ]) {
      const r = quire(args, dir);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        [
          'quire.yaml:4:10: error[E_ENV_MISSING]: environment variable QUIRE_NOPE_URL is not set',
          '  |',
          // biome-ignore lint/suspicious/noTemplateCurlyInString: the quire.yaml line as printed
          '4 |     url: ${QUIRE_NOPE_URL}',
          '  |          ^',
          '  hint: export QUIRE_NOPE_URL=... before running quire, or remove it from quire.yaml',
        ].join('\n'),
      );
      expect(r.stderr).toMatch(/quire\.yaml:7:11: error\[E_ENV_MISSING\]: environment variable QUIRE_NOPE_PATH is not set/);
      // other mistakes of the file are still told
      expect(r.stderr).toMatch(/quire\.yaml:8:5: error\[E_UNKNOWN_KEY\]: unknown key 'bogus' in connections\.files/);
      expect(r.stderr).not.toContain('E_SCHEMA');
      expect(r.stderr).toContain('3 problems found');
    }
  });

  it('an unknown database file says how to make one', () => {
    const dir = fixtureProject('missing-file');
    writeFileSync(join(dir, 'quire.yaml'), 'database: data/none.duckdb\n');
    const r = quire(['run', 'notebook.yaml'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('E_DATABASE_MISSING');
    expect(existsSync(join(dir, 'runs'))).toBe(false);
  });
});

describe('bad environment', () => {
  it('an unwritable runs dir fails clearly, before any cell runs', () => {
    const dir = fixtureProject('cycle');
    writeFileSync(join(dir, 'blocker'), 'a file where a folder should be');
    const nb = join(dir, 'ok.yaml');
    writeFileSync(nb, 'title: Ok\ncells:\n  - id: a\n    type: query\n    sql: SELECT 1 AS x\n');
    const r = quire(['run', 'ok.yaml', '--runs-dir', 'blocker/runs'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error[E_RUNS_DIR]: cannot create the run folder');
    expect(r.stderr).not.toContain('internal error');
  });
});
