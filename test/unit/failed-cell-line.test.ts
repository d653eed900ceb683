import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { runNotebook } from '../../engine/index.js';
import { progressPrinter } from '../../engine/cli/progress.js';
import type { ExecEvent } from '../../engine/exec/executor.js';

/** A project whose database holds orders(amount); `nb.yaml` is the notebook given. */
async function project(notebook: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'quire-failed-cell-'));
  const db = await DuckDBInstance.create(join(dir, 'main.duckdb'));
  const c = await db.connect();
  await c.run(`CREATE TABLE orders AS SELECT 9.5::DOUBLE AS amount`);
  c.closeSync();
  db.closeSync();
  writeFileSync(join(dir, 'quire.yaml'), 'database: main.duckdb\n');
  writeFileSync(join(dir, 'nb.yaml'), notebook);
  return join(dir, 'nb.yaml');
}

/** A stream that keeps what the printer writes (not a TTY: one plain line per event). */
function sink(): { stream: NodeJS.WriteStream; text: () => string } {
  let text = '';
  const write = (s: string) => {
    text += s;
    return true;
  };
  const stream = { isTTY: false, write } as unknown as NodeJS.WriteStream;
  return { stream, text: () => text };
}

const NOTEBOOK = `title: T
cells:
  - id: one
    type: query
    sql: SELECT amount FROM orders
  - id: broken
    type: query
    sql: |
      SELECT amout
      FROM orders
`;

describe('a failed cell, at run time and in the terminal', () => {
  it("keeps DuckDB's whole message and prints file:line:col, the candidates and the hint", async () => {
    const path = await project(NOTEBOOK);
    const out = sink();
    const printer = progressPrinter(out.stream);
    const events: ExecEvent[] = [];
    const result = await runNotebook(path, {
      runsDir: join(path, '..', 'runs'),
      logger: { log() {} },
      onEvent: (e) => {
        events.push(e);
        printer.onEvent(e);
      },
    });
    printer.done();
    const failed = events.flatMap((e) => (e.kind === 'end' && e.record.status === 'failed' ? [e.record] : []))[0]!;
    expect(failed.error?.message).toContain('Candidate bindings: "amount"');
    expect(failed.error?.message).not.toContain('LINE ');
    expect(result.manifest.status).toBe('failed');

    const text = out.text();
    expect(text).toContain('succeeded one');
    expect(text).toMatch(/ · 1 row\n/);
    expect(text).toContain(
      `failed    broken  ${path}:9:14  cell broken failed: Binder Error: Referenced column "amout" not found in FROM clause!\n    Candidate bindings: "amount"\n    hint: check column names`,
    );
  });
});
