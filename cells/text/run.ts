// The run of a text cell, loaded when one runs: Liquid rendering over the referenced tables, then Markdown (marked) and the sanitizer.
import { join } from 'node:path';
import type { RunContext } from '../../engine/cell-type.js';
import { UserError } from '../../engine/util/errors.js';
import { liquid, MISSING, PARTIALS_DIR, renderErrorHint, type MissingValues } from '../../engine/text/liquid.js';
import { renderMarkdown } from '../../engine/text/markdown.js';
import { tableOf, type TextOutput, type TableOutput, type TableValue } from '../../engine/outputs.js';
import type { TextSpec } from './spec.js';

/** Rows a text cell sees of each referenced table. */
const TEXT_ROW_LIMIT = 1000;

const EXACT_NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|DECIMAL)/;

/** Row objects for templates: exact numerics that fit a JS number become numbers, so comparisons work. */
function rowObjects(table: TableOutput): Record<string, TableValue>[] {
  const numeric = table.columns.map((c) => EXACT_NUMERIC.test(c.type));
  return table.rows.map((row) =>
    Object.fromEntries(
      row.map((v, i) => {
        if (numeric[i] && typeof v === 'string') {
          const n = Number(v);
          if (Number.isFinite(n) && Math.abs(n) <= Number.MAX_SAFE_INTEGER) return [table.columns[i].name, n];
        }
        return [table.columns[i].name, v];
      }),
    ),
  );
}

async function templateContext(refs: string[], ctx: RunContext): Promise<Record<string, unknown>> {
  const scope: Record<string, unknown> = { params: ctx.params.values };
  for (const id of refs) {
    const up = ctx.upstream.get(id);
    if (!up) continue;
    if (tableOf(up.output)) {
      const table = await ctx.readTable(id, TEXT_ROW_LIMIT);
      const rows = rowObjects(table);
      scope[id] = { rows, first: rows[0] ?? null, row_count: table.rowCount, columns: table.columns.map((c) => c.name) };
    } else if (up.output.kind === 'value') {
      scope[id] = { value: up.output.value };
    }
  }
  return scope;
}

/** Renders the cell's Markdown with its Liquid filled in, as sanitized HTML. */
export async function runText(spec: TextSpec, ctx: RunContext): Promise<TextOutput> {
  const l = liquid(join(ctx.project.root, PARTIALS_DIR));
  const refs = l.globalVariablesSync(l.parse(spec.markdown)).filter((v) => v !== 'params');
  let markdown: string;
  const missing: MissingValues = { text: ctx.project.config.missing_text, count: 0 };
  try {
    const scope = await templateContext(refs, ctx);
    markdown = await l.parseAndRender(spec.markdown, Object.assign(scope, { [MISSING]: missing }));
  } catch (err) {
    throw new UserError('E_LIQUID_RENDER', `cell ${spec.id}: ${(err as Error).message.split('\n')[0]}`, {
      location: ctx.source.locate([...ctx.path, 'markdown']),
      hint: renderErrorHint(err),
    });
  }
  if (missing.count) {
    const where = ctx.source.locate([...ctx.path, 'markdown']);
    ctx.logger.log(
      'warn',
      `cell ${spec.id}: ${missing.count} ${missing.count === 1 ? 'value was' : 'values were'} NULL or missing and ${missing.count === 1 ? 'prints' : 'print'} as "${missing.text}" (${where.file}:${where.line}:${where.col}); a period without data? (\`expect: { rows: ">0" }\` on the data cell makes that an error)`,
    );
  }
  return { kind: 'text', html: renderMarkdown(markdown, spec.html === true) };
}
