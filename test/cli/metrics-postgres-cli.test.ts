/**
 * The bundled CLI on metrics over a Postgres source: `quire metrics show` prints the SQL the server
 * runs (PostgreSQL's parser and deparser load inside the bundle), then the DuckDB query.
 * Nothing is run, so no server is needed.
 */
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quire } from '../helpers/cli.js';

describe('quire metrics show over a Postgres source', () => {
  it('prints the server scan (cube plan, FILTER, GROUPING SETS) and the DuckDB query after it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'quire-pg-show-'));
    try {
      mkdirSync(join(dir, 'metrics'));
      writeFileSync(join(dir, 'quire.yaml'), 'metrics: [metrics]\nconnections:\n  warehouse: { type: postgres, url: "postgres://postgres@127.0.0.1:1/none" }\n');
      writeFileSync(
        join(dir, 'metrics', 'm.yaml'),
        `metric: { name: rev, source: warehouse.public.orders, time_column: d, aggregation: sum, numerator: "SUM(amount)", filters: ["status = 'done'"] }
---
metric: { name: buyers, source: warehouse.public.orders, time_column: d, aggregation: count_distinct, numerator: "COUNT(DISTINCT customer_id)" }
---
slice: { name: region, column: region }
`,
      );
      const cube = quire(['metrics', 'show', 'rev', '--grain', 'monthly', '--slice', 'region'], dir);
      expect(cube.stderr).toBe('');
      expect(cube.code).toBe(0);
      expect(cube.stdout).toContain('warehouse: "public"."orders": rev (partial aggregates per flag combination, then combined, on the server)');
      expect(cube.stdout).toContain('-- on connection warehouse (PostgreSQL)');
      expect(cube.stdout).toContain(`CAST(date_trunc('month', "d") AS date) AS __quire_p`);
      expect(cube.stdout).toContain('GROUP BY GROUPING SETS ((__quire_p, __quire_k0), (__quire_p))');
      expect(cube.stdout).toContain('-- then, in DuckDB:');
      const distinct = quire(['metrics', 'show', 'buyers', '--grain', 'monthly'], dir);
      expect(distinct.code).toBe(0);
      expect(distinct.stdout).toContain('(conditional aggregates, on the server)');
      expect(distinct.stdout).toMatch(/count\(DISTINCT customer_id\)/i);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
