import { describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtureProject, manifests, quire, quireAsync } from '../helpers/cli.js';
import { DEMO_NOTEBOOKS, REPO } from '../helpers/paths.js';

/** Resolves when the child prints a line containing `text` on stderr (where progress goes). */
function printed(child: ChildProcess, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (d: Buffer) => {
      seen += d;
      if (!seen.includes(text)) return;
      child.stderr!.off('data', onData);
      resolve();
    };
    child.stderr!.on('data', onData);
    child.once('exit', () => reject(new Error(`exited before printing '${text}': ${seen}`)));
  });
}

describe('quire validate', () => {
  it('reports every problem at once, each located with a snippet and a hint', () => {
    const r = quire(['validate', 'notebook.yaml'], fixtureProject('many-errors'));
    expect(r.code).toBe(1);
    const err = r.stderr;
    expect(err).toMatch(/notebook\.yaml:10:12: error\[E_SQL_SYNTAX\]: SQL syntax error in cell first: syntax error at or near "orders"/);
    expect(err).toMatch(/notebook\.yaml:11:9: error\[E_DUPLICATE_ID\]: duplicate cell id 'first'/);
    expect(err).toMatch(/notebook\.yaml:14:9: error\[E_SCHEMA\]/);
    expect(err).toMatch(/notebook\.yaml:19:5: error\[E_UNKNOWN_KEY\]: unknown key 'sqll' in cells\[3\] — did you mean 'sql'\?/);
    expect(err).toMatch(/notebook\.yaml:21:11: error\[E_CELL_TYPE_UNKNOWN\]: unknown cell type 'qeury' — did you mean 'query'\?/);
    expect(err).toMatch(/notebook\.yaml:25:24: error\[E_LIQUID_SYNTAX\]/);
    expect(err).toContain("uses $mnth_start, which is not a param — did you mean '$month_start'?");
    expect(err).toContain('8 problems found');
    expect(err).toContain('  hint: ');
    expect(err).toContain('10 |       FORM orders');
    expect(err).toContain('cells[3].sql is required');
  });

  it('passes a valid notebook with exit code 0', () => {
    const r = quire(['validate', 'region-month.yaml'], fixtureProject('conformance'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('region-month.yaml is valid (3 cells)');
  });

  it('--json lists errors for scripts', () => {
    const r = quire(['validate', 'notebook.yaml', '--json'], fixtureProject('cycle'));
    expect(r.code).toBe(1);
    const [res] = JSON.parse(r.stdout);
    expect(res.valid).toBe(false);
    expect(res.errors[0]).toMatchObject({ code: 'E_CYCLE', location: { line: 3 } });
  });
});

describe('quire run / runs', () => {
  it('prints where the run folder and report are; runs list/show read them back', () => {
    const dir = fixtureProject('conformance');
    const r = quire(['run', 'region-month.yaml', '-p', 'region=EU', '-p', 'month=2025-12'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/run folder: runs\/region-month\/\S+/);
    expect(r.stdout).toMatch(/report: +runs\/region-month\/\S+\/report\.html/);
    expect(r.stderr).toMatch(/succeeded +orders_in_month/);
    const [m] = manifests(dir, 'region-month');
    expect(m).toMatchObject({ status: 'succeeded', trigger: { kind: 'cli' }, params: { region: 'EU', month: '2025-12', month_start: '2025-12-01', month_end: '2026-01-01' } });
    expect(m.cells[1]).toMatchObject({ id: 'orders_in_month', type: 'query', status: 'succeeded', rows: 1, cache_hit: false, error: null });
    const list = quire(['runs', 'list'], dir);
    expect(list.stdout).toContain(m.id);
    expect(list.stdout).toContain('region=EU');
    expect(quire(['runs', 'list', 'region-month.yaml'], dir).stdout).toContain(m.id);
    expect(quire(['runs', 'list', 'region-month'], dir).stdout).toContain(m.id);
    expect(quire(['runs', 'list', 'all-cells'], dir).stdout).toBe('no runs yet\n'); // a notebook of the project, never run
    const show = quire(['runs', 'show', m.id.slice(0, 20)], dir);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('orders_in_month');
    expect(show.stdout).toContain('report.html');
    const unknown = quire(['runs', 'show', 'nope'], dir);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('E_RUN_UNKNOWN');
  });

  it('runs list of a notebook that names nothing is E_NOTEBOOK_UNKNOWN, listing the notebooks and the closest id', () => {
    const dir = fixtureProject('conformance');
    expect(quire(['run', 'region-month.yaml', '-p', 'region=EU', '-p', 'month=2025-12'], dir).code).toBe(0);
    const r = quire(['runs', 'list', 'nosuch'], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      "error[E_NOTEBOOK_UNKNOWN]: no notebook or runs named 'nosuch'\n  hint: notebooks with runs: region-month; notebooks in this project: all-cells, inline-metrics, region-month. Give a notebook id or the path of its file\n",
    );
    expect(quire(['runs', 'list', 'region-mnth', '--json'], dir).stderr).toContain("no notebook or runs named 'region-mnth' — did you mean 'region-month'?");
    expect(quire(['runs', 'list', 'regoin-month.yaml'], dir).stderr).toContain("no notebook file 'regoin-month.yaml', and no notebook or runs with that id — did you mean 'region-month'?");
    const other = quire(['runs', 'list', 'nosuch', '--runs-dir', join(dir, 'runs')], dir);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain('hint: notebooks with runs: region-month. Give');
  });

  it('prints an `expect:` warning (on_fail: warn) with its location and hint; runs show repeats it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'quire-expect-warn-'));
    writeFileSync(join(dir, 'quire.yaml'), '');
    writeFileSync(join(dir, 'nb.yaml'), 'title: T\ncells:\n  - id: totals\n    type: query\n    sql: SELECT 1 AS n WHERE false\n    expect: { rows: ">=1", on_fail: warn }\n');
    const r = quire(['run', 'nb.yaml'], dir);
    expect(r.code).toBe(0);
    const warning = 'warning: cell totals returned 0 rows; it expects rows >= 1 (nb.yaml:6:21)';
    expect(r.stderr).toMatch(/succeeded totals .*\n {4}warning: cell totals returned 0 rows; it expects rows >= 1 \(nb\.yaml:6:21\)\n {4}hint: check the params/);
    expect(r.stdout).toContain('T: succeeded (1 succeeded, 0 failed, 0 skipped, 1 warning)');
    const [m] = manifests(dir, 'nb');
    expect(quire(['runs', 'show', m.id], dir).stdout).toContain(`      ${warning}`);
  });

  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    it(`${sig} during a run ends it failed with the reason, never succeeded`, async () => {
      const dir = fixtureProject('slow');
      const child = quireAsync(['run', 'notebook.yaml'], dir);
      const runJson = () => {
        const base = join(dir, 'runs', 'notebook');
        if (!existsSync(base)) return null;
        const [id] = readdirSync(base);
        return id ? join(base, id, 'run.json') : null;
      };
      // The run folder exists before any cell starts; the slow cell has started when progress says so.
      await printed(child, 'start  slow\n');
      const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
      child.kill(sig);
      const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const code = await exited;
      clearTimeout(killer);
      expect(code).toBe(sig === 'SIGTERM' ? 143 : 130);
      const m = JSON.parse(readFileSync(runJson()!, 'utf8'));
      expect(m.status).toBe('failed');
      expect(m.error).toBe(`interrupted by ${sig}`);
      expect(m.cells.find((c: { id: string }) => c.id === 'slow').status).toBe('failed');
    });
  }
});

describe('quire graph / schema', () => {
  it('prints the DAG as text, mermaid and dot', () => {
    const dir = fixtureProject('concurrent');
    const text = quire(['graph', 'notebook.yaml'], dir);
    expect(text.stdout).toBe('level 1 (concurrent):\n  scan (query)\n  lookup (query)\n  events_by_type (query)\nlevel 2:\n  combined (query)  <- scan, lookup, events_by_type\n');
    const mermaid = quire(['graph', 'notebook.yaml', '--format', 'mermaid'], dir);
    expect(mermaid.stdout).toContain('flowchart TD');
    expect(mermaid.stdout).toContain('scan --> combined');
    const dot = quire(['graph', 'notebook.yaml', '--format', 'dot'], dir);
    expect(dot.stdout).toContain('"lookup" -> "combined";');
    const bad = quire(['graph', 'notebook.yaml', '--format', 'png'], dir);
    expect(bad.code).not.toBe(0);
  });

  it('prints the JSON Schema, identical to the shipped schema/notebook.schema.json', () => {
    const r = quire(['schema'], REPO);
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.stdout);
    expect(schema.required).toEqual(expect.arrayContaining(['title', 'cells']));
    expect(JSON.stringify(schema)).toContain('"query"');
    expect(r.stdout).toBe(readFileSync(join(REPO, 'schema', 'notebook.schema.json'), 'utf8'));
  });

  it('example notebooks point editors at the schema', () => {
    for (const name of DEMO_NOTEBOOKS) {
      expect(readFileSync(join(REPO, 'notebooks', `${name}.yaml`), 'utf8').split('\n')[0]).toMatch(/^# yaml-language-server: \$schema=.*notebook\.schema\.json$/);
    }
  });
});
