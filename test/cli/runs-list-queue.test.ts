import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quire } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';

// `quire runs list <notebook>` with a queue reads the run index in PostgreSQL: a notebook that
// names nothing there nor in the project is an error listing both, as with run folders.
let db: TestDatabase;
let dir: string;
const env = () => ({ QUIRE_QUEUE_URL: db.url });

beforeAll(async () => {
  db = await createTestDatabase();
  dir = mkdtempSync(join(tmpdir(), 'quire-runs-queue-'));
  // biome-ignore lint/suspicious/noTemplateCurlyInString: quire.yaml's ${VAR} syntax
  writeFileSync(join(dir, 'quire.yaml'), 'queue:\n  url: ${QUIRE_QUEUE_URL}\n');
  writeFileSync(join(dir, 'sales.yaml'), 'title: Sales\ncells:\n  - id: t\n    type: query\n    sql: SELECT 1 AS n\n');
  writeFileSync(join(dir, 'unrun.yaml'), 'title: Never run\ncells:\n  - id: t\n    type: query\n    sql: SELECT 1 AS n\n');
});

afterAll(async () => {
  await db?.drop();
});

describe('quire runs list <notebook> on the run index', () => {
  it('an unknown notebook is E_NOTEBOOK_UNKNOWN naming the indexed and the project notebooks; a known one lists its runs', () => {
    const q = quire(['run', 'sales.yaml', '--queue', '--detach', '--json'], dir, env());
    expect(q.code).toBe(0);
    const { runs } = JSON.parse(q.stdout) as { runs: string[] };

    const r = quire(['runs', 'list', 'nosuch'], dir, env());
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      "error[E_NOTEBOOK_UNKNOWN]: no notebook or runs named 'nosuch'\n  hint: notebooks with runs: sales; notebooks in this project: sales, unrun. Give a notebook id or the path of its file\n",
    );
    expect(quire(['runs', 'list', 'sale'], dir, env()).stderr).toContain("no notebook or runs named 'sale' — did you mean 'sales'?");

    expect(quire(['runs', 'list', 'unrun'], dir, env()).stdout).toBe('no runs yet\n');
    const listed = quire(['runs', 'list', 'sales'], dir, env());
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(runs[0]);
  });
});
