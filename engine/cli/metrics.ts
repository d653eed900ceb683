import { Option, type Command } from 'commander';
import type { DuckSession } from '../duck/duck.js';
import { QuireError, UserError, ValidationErrors, formatError } from '../util/errors.js';
import { loadProject, type Project } from '../project.js';
import { openMetricsSession, specFields } from '../metrics/session.js';
import { RunConnections } from '../connections/run-connections.js';
import { didYouMean } from '../util/suggest.js';
import { loadCatalog, type MetricCatalog } from '../metrics/catalog.js';
import { planMetrics, computeRows } from '../metrics/compute.js';
import { bindFilterSpec, bindMetric } from '../metrics/bind.js';
import { resolveSource, type ResolvedSource } from '../metrics/sources.js';
import { checkServerSources, type ServerUse } from '../metrics/server-check.js';
import { COMPARES, GRAINS, specLabel, type Compare, type Grain, type MetricSpec, type SegmentSpec, type SliceSpec } from '../metrics/specs.js';
import type { MetricRequest } from '../metrics/request.js';
import { formatCsv, formatJson, formatTextTable } from './metrics-output.js';
import { bold, dim, green } from './progress.js';

const collect = (value: string, previous: string[]) => [...previous, value];

interface ProjectOpts {
  project?: string;
}

interface RequestOpts extends ProjectOpts {
  slice: string[];
  segment: string[];
  from?: string;
  to?: string;
  grain?: Grain;
  compare?: Compare;
}

/** Runs `fn` with the project's catalog; spec problems are thrown unless `tolerate`. */
async function withCatalog<T>(
  opts: ProjectOpts & { database?: boolean; tolerate?: boolean },
  fn: (ctx: { project: Project; session: DuckSession; catalog: MetricCatalog; errors: QuireError[] }) => Promise<T>,
): Promise<T> {
  const project = loadProject(opts.project ?? process.cwd());
  const session = await openMetricsSession(project, opts.database ?? false);
  try {
    const conn = await session.connect();
    const { catalog, errors } = await loadCatalog({ project, parser: conn });
    if (errors.length && !opts.tolerate) throw new ValidationErrors(errors);
    return await fn({ project, session, catalog, errors });
  } finally {
    session.close();
  }
}

function requestOf(names: string[], opts: RequestOpts): MetricRequest {
  if ((opts.from === undefined) !== (opts.to === undefined)) {
    throw new UserError('E_BAD_ARGUMENT', 'give both --from and --to (a window is [from, to): the end date is not included)', { hint: 'e.g. --from 2026-01-01 --to 2026-04-01' });
  }
  return {
    metrics: names,
    slices: opts.slice,
    segments: opts.segment,
    window: opts.from !== undefined ? { start: opts.from, end: opts.to! } : null,
    grain: opts.grain,
    compare: opts.compare ?? null,
  };
}

function addRequestOptions(cmd: Command): Command {
  return cmd
    .option('--slice <name>', 'break down by a slice (repeatable: cross-product)', collect, [])
    .option('--segment <name>', "add a segment beside 'all' (repeatable)", collect, [])
    .option('--from <date>', 'window start (YYYY-MM-DD, included)')
    .option('--to <date>', 'window end (YYYY-MM-DD, excluded)')
    .addOption(new Option('--grain <grain>', 'period grain').choices([...GRAINS]))
    .addOption(new Option('--compare <compare>', 'compare with an earlier period').choices([...COMPARES]));
}

function describeSlice(s: SliceSpec): string {
  return s.column ? `column ${s.column}` : `${s.values!.length} values: ${s.values!.map((v) => v.name).join(', ')}`;
}

function listText(catalog: MetricCatalog, category?: string): string {
  const out: string[] = [];
  const metrics = [...catalog.metrics.values()].filter((m) => category === undefined || (m.category ?? 'uncategorized') === category);
  const byCategory = new Map<string, MetricSpec[]>();
  for (const m of metrics) {
    const c = m.category ?? 'uncategorized';
    byCategory.set(c, [...(byCategory.get(c) ?? []), m]);
  }
  const width = Math.max(4, ...metrics.map((m) => m.name.length));
  for (const [c, ms] of [...byCategory.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    out.push(bold(c));
    for (const m of ms.sort((a, b) => a.name.localeCompare(b.name))) {
      const what = m.aggregation === 'derived' ? `derived from ${m.expr?.columns.join(', ')}` : `${m.aggregation} over ${m.source}`;
      out.push(`  ${m.name.padEnd(width)}  ${(m.unit ?? 'number').padEnd(10)}  ${what}${m.description ? dim(` — ${m.description}`) : ''}`);
    }
  }
  if (category === undefined) {
    out.push(bold('slices'));
    for (const s of catalog.slices.values()) out.push(`  ${s.name.padEnd(width)}  ${describeSlice(s)}`);
    out.push(bold('segments'));
    for (const g of catalog.segments.values()) out.push(`  ${g.name.padEnd(width)}  ${g.description ?? g.where}`);
  }
  return `${out.join('\n')}\n`;
}

function definitionText(spec: MetricSpec | SliceSpec | SegmentSpec): string {
  const skip = new Set(['kind', 'origin', 'num', 'den', 'filterExprs', 'expr', 'tables']);
  const lines = [`${specLabel(spec)}`];
  for (const [k, v] of Object.entries(spec)) {
    if (skip.has(k) || v === undefined) continue;
    lines.push(`  ${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
  }
  return `${lines.join('\n')}\n`;
}

async function validateAll(project: Project, session: DuckSession, catalog: MetricCatalog): Promise<{ errors: QuireError[]; notes: string[] }> {
  const conn = await session.connect();
  const errors: QuireError[] = [];
  const notes: string[] = [];
  const sources = new Map<string, ResolvedSource>();
  const server: ServerUse[] = [];
  for (const m of catalog.metrics.values()) {
    if (m.aggregation === 'derived') continue;
    const src = resolveSource(m, project);
    if (src instanceof QuireError) {
      errors.push(src);
      continue;
    }
    if (src.kind === 'cell') {
      notes.push(`${m.name}: reads ${m.source}, checked when a notebook runs it`);
      continue;
    }
    if (src.server) {
      server.push({ metric: m, source: src });
      continue;
    }
    const found = await bindMetric(conn, m, src);
    errors.push(...found);
    if (!found.length) sources.set(src.sql, src);
  }
  if (server.length) {
    const connections = new RunConnections(project);
    try {
      errors.push(...(await checkServerSources(server, [], (n) => connections.get(n), conn)));
      notes.push(`${server.length} metric(s) on server connections: tables and columns checked there (expressions run on the server)`);
    } finally {
      await connections.close();
    }
  }
  // Slices and segments fit some sources, not all: each must bind over at least one.
  for (const spec of [...catalog.slices.values(), ...catalog.segments.values()]) {
    let first: QuireError[] | null = null;
    const fits: string[] = [];
    for (const src of sources.values()) {
      const found = await bindFilterSpec(conn, spec, src);
      if (!found.length) fits.push(src.sql);
      else first ??= found;
    }
    if (!fits.length && first) errors.push(...first);
    else if (fits.length) notes.push(`${spec.kind} ${spec.name} applies to ${fits.join(', ')}`);
  }
  return { errors, notes };
}

export function register(program: Command): void {
  const metrics = program.command('metrics').description('the metric catalog: list, show, validate and compute metrics of the project');
  const projectOption = (cmd: Command) => cmd.option('--project <dir>', 'project folder (default: the one holding the current folder)');

  projectOption(metrics.command('list').description('metrics by category, then slices and segments'))
    .option('--category <category>', 'only metrics of this category')
    .option('--json', 'print as JSON')
    .action(async (opts: ProjectOpts & { category?: string; json?: boolean }) => {
      await withCatalog({ ...opts, tolerate: true }, async ({ catalog, errors }) => {
        if (opts.category !== undefined) {
          const categories = [...new Set([...catalog.metrics.values()].map((m) => m.category ?? 'uncategorized'))];
          if (!categories.includes(opts.category)) {
            const dym = didYouMean(opts.category, categories);
            throw new UserError('E_BAD_ARGUMENT', `no metrics in category '${opts.category}'${dym ? ` — ${dym}` : ''}`, { hint: `categories: ${categories.join(', ')}` });
          }
        }
        if (opts.json) {
          const pick = specFields;
          const ms = [...catalog.metrics.values()].filter((m) => opts.category === undefined || (m.category ?? 'uncategorized') === opts.category);
          process.stdout.write(`${JSON.stringify({ metrics: ms.map(pick), slices: [...catalog.slices.values()].map(pick), segments: [...catalog.segments.values()].map(pick) }, null, 2)}\n`);
        } else process.stdout.write(listText(catalog, opts.category));
        for (const e of errors) process.stderr.write(`${formatError(e)}\n\n`);
        if (errors.length) process.exitCode = 1;
      });
    });

  addRequestOptions(projectOption(metrics.command('show').description('a metric, slice or segment: its definition and the SQL a metric compiles to')))
    .argument('<name>', 'metric, slice or segment name')
    .action(async (name: string, opts: RequestOpts) => {
      await withCatalog(opts, async ({ project, session, catalog }) => {
        const spec = catalog.metrics.get(name) ?? catalog.slices.get(name) ?? catalog.segments.get(name);
        if (!spec) {
          const all = [...catalog.metrics.keys(), ...catalog.slices.keys(), ...catalog.segments.keys()];
          const dym = didYouMean(name, all);
          throw new UserError('E_METRIC_UNKNOWN', `no metric, slice or segment named '${name}'${dym ? ` — ${dym}` : ''}`, { hint: '`quire metrics list` shows them all' });
        }
        process.stdout.write(definitionText(spec));
        if (spec.kind !== 'metric') return;
        const conn = await session.connect();
        const { compiled } = await planMetrics(conn, catalog, requestOf([name], opts), project);
        const params = Object.entries(compiled.params)
          .map(([k, v]) => `$${k} = DATE '${v}'`)
          .join(', ');
        const plans = compiled.scans.map(
          (s) =>
            `--   ${s.connection ? `${s.connection}: ` : ''}${s.source}: ${s.metrics.join(', ')} (${s.strategy === 'cube' ? 'partial aggregates per flag combination, then combined' : 'conditional aggregates'}${s.connection ? ', on the server' : ''})`,
        );
        const serverName: Record<string, string> = { postgres: 'PostgreSQL', mysql: 'MySQL/MariaDB' };
        const typeOf = (c: string) => String(project.config.connections[c]?.type ?? '');
        const remote = compiled.remote.map((r) => `\n-- on connection ${r.connection} (${serverName[typeOf(r.connection)] ?? typeOf(r.connection)}), its rows into ${r.table}:\n${r.sql};\n`).join('');
        process.stdout.write(
          `\n-- compiles to (${compiled.scans.length} scan${compiled.scans.length === 1 ? '' : 's'}${params ? `; ${params}` : ''}):\n${plans.join('\n')}\n${remote}${remote ? '\n-- then, in DuckDB:\n' : ''}${compiled.sql};\n`,
        );
      });
    });

  projectOption(metrics.command('validate').description('check every spec: schema, SQL syntax, sources and columns against the database, derived-metric cycles'))
    .option('--json', 'print the result as JSON')
    .action(async (opts: ProjectOpts & { json?: boolean }) => {
      await withCatalog({ ...opts, tolerate: true, database: true }, async ({ project, session, catalog, errors: loadErrors }) => {
        const { errors: bindErrors, notes } = await validateAll(project, session, catalog);
        const errors = [...loadErrors, ...bindErrors];
        const counts = `${catalog.metrics.size} metrics, ${catalog.slices.size} slices, ${catalog.segments.size} segments`;
        if (opts.json) {
          process.stdout.write(
            `${JSON.stringify({ valid: !errors.length, counts: { metrics: catalog.metrics.size, slices: catalog.slices.size, segments: catalog.segments.size }, errors: errors.map((e) => ({ code: e.code, message: e.message, location: e.location ?? null, hint: e.hint ?? null })), notes }, null, 2)}\n`,
          );
        } else if (errors.length) {
          for (const e of errors) process.stderr.write(`${formatError(e)}\n\n`);
          process.stderr.write(`${errors.length} problem${errors.length === 1 ? '' : 's'} found (${counts} valid)\n`);
        } else {
          process.stdout.write(`${green('✓')} ${counts}: specs parse, SQL binds against the database, no derived cycles\n`);
          for (const n of notes) process.stdout.write(`${dim(`  ${n}`)}\n`);
        }
        process.exitCode = errors.length ? 1 : 0;
      });
    });

  addRequestOptions(projectOption(metrics.command('compute').description('compute metrics without a notebook; prints the long table')))
    .argument('<names...>', 'metric names')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'csv', 'json']).default('table'))
    .action(async (names: string[], opts: RequestOpts & { format: 'table' | 'csv' | 'json' }) => {
      await withCatalog({ ...opts, database: true }, async ({ project, session, catalog }) => {
        const conn = await session.connect();
        const { resolved, compiled } = await planMetrics(conn, catalog, requestOf(names, opts), project);
        const connections = new RunConnections(project);
        const { columns, rows } = await computeRows(conn, resolved, compiled, { connection: (n) => connections.get(n) }).finally(() => connections.close());
        const format = { table: formatTextTable, csv: formatCsv, json: formatJson }[opts.format];
        process.stdout.write(format(columns, rows));
      });
    });
}
