import { join } from 'node:path';
import * as z from 'zod';
import { cellSchema, type CellType, type RunContext } from '../engine/cell-type.js';
import { UserError } from '../engine/util/errors.js';
import { analyzeTemplate, liquid, MISSING, PARTIALS_DIR, renderErrorHint, type MissingValues } from '../engine/text/liquid.js';
import { unknownTemplateNames } from '../engine/text/liquid-check.js';
import { renderMarkdown } from '../engine/text/markdown.js';
import { templateParams, templateReadsClock } from '../engine/text/liquid-params.js';
import { tableOf, type TableOutput, type TableValue } from '../engine/outputs.js';

const schema = cellSchema('text', {
  markdown: z.string().describe('Markdown with Liquid: params and referenced cells (<id>.rows, .first, .row_count, .columns, .value)'),
  html: z.boolean().optional().describe('Allow raw HTML in the markdown, through the sanitizer (no script, links only http(s)/mailto/#anchor, images only data: URIs; values stay escaped)'),
});
export type TextSpec = z.infer<typeof schema>;

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

export const textCell: CellType<TextSpec> = {
  type: 'text',
  description: 'Markdown with Liquid templating over params and other cells',
  schema,
  outputKind: 'text',

  async analyze(spec, ctx) {
    const partials = join(ctx.project.root, PARTIALS_DIR);
    const { variables, error } = analyzeTemplate(spec.markdown, ctx.source, [...ctx.path, 'markdown'], partials);
    const reads = { params: templateParams(spec.markdown, partials), database: false, volatile: templateReadsClock(spec.markdown) };
    const unknown = error
      ? []
      : unknownTemplateNames(spec.markdown, ctx.source, [...ctx.path, 'markdown'], { cellIds: ctx.cellIds.filter((id) => id !== spec.id), paramNames: ctx.paramNames }, partials);
    return { references: variables.filter((v) => v !== 'params'), errors: error ? [error] : unknown, reads };
  },

  async run(spec, ctx) {
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
  },
};
