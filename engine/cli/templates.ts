import type { Command } from 'commander';
import { relative } from 'node:path';
import { DuckSession } from '../duck/duck.js';
import { listTemplates, loadTemplate, paramDefaultText, type Template, type TemplateParam } from '../templates/catalog.js';
import { neededSpecs, templateCatalog } from '../templates/specs.js';
import { useTemplate } from '../templates/use.js';
import { buildGallery } from '../templates/gallery.js';
import { bold, dim, green } from './progress.js';
import { quireCommand } from '../util/quire-command.js';

function paramLine(p: TemplateParam): string {
  const parts = [p.type];
  if (p.options) parts.push(`one of ${p.options.join(', ')}`);
  parts.push(p.default === undefined ? 'required' : `default ${Array.isArray(p.default) ? p.default.join(',') : String(p.default)}`);
  return `  ${p.name.padEnd(16)} ${parts.join(' · ')}${p.description ? dim(` — ${p.description}`) : ''}`;
}

function listJson(t: Template) {
  return { name: t.name, title: t.title, description: t.description, tags: t.tags, params: t.params };
}

async function metricsUsed(t: Template) {
  const session = await DuckSession.open({ database: ':memory:' });
  try {
    return neededSpecs(t, await templateCatalog(t, await session.connect()));
  } finally {
    session.close();
  }
}

export function register(program: Command): void {
  const templates = program.command('templates').description('the template gallery: ready notebooks on the demo data — list, show, use, gallery');

  templates
    .command('list')
    .description('every template: name, title, description, tags and params')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) => {
      const all = listTemplates();
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(all.map(listJson), null, 2)}\n`);
        return;
      }
      const width = Math.max(...all.map((t) => t.name.length));
      for (const t of all) {
        process.stdout.write(`${bold(t.name.padEnd(width))}  ${t.title}\n`);
        process.stdout.write(`${' '.repeat(width)}  ${t.description}\n`);
        process.stdout.write(`${dim(`${' '.repeat(width)}  tags: ${t.tags.join(', ') || '–'} · params: ${t.params.map(paramDefaultText).join(' ') || '–'}`)}\n\n`);
      }
      const q = quireCommand();
      process.stdout.write(`${all.length} templates · ${q} templates show <name> · ${q} templates use <name>\n`);
    });

  templates
    .command('show')
    .description('a template: description, params with defaults, cells, the metrics it uses')
    .argument('<name>', 'template name (see quire templates list)')
    .option('--json', 'print JSON')
    .action(async (name: string, opts: { json?: boolean }) => {
      const t = loadTemplate(name);
      const used = await metricsUsed(t);
      const where = (n: (typeof used)[number]) => (n.from === 'inline' ? 'notebook definitions' : relative(t.dir, n.from));
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ ...listJson(t), cells: t.cells, specs: used.map((n) => ({ kind: n.kind, name: n.name, defined_in: where(n) })), readme: t.readme }, null, 2)}\n`);
        return;
      }
      const out: string[] = [`${bold(t.title)} ${dim(`(${t.name})`)}`, t.description, ''];
      if (t.tags.length) out.push(`${bold('tags')}  ${t.tags.join(', ')}`, '');
      out.push(bold('params'), ...(t.params.length ? t.params.map(paramLine) : ['  none']), '');
      out.push(bold(`cells (${t.cells.length})`));
      for (const c of t.cells) out.push(`  ${c.id.padEnd(24)} ${c.type.padEnd(13)} ${c.title ?? ''}`);
      out.push('', bold('metrics, slices and segments used'));
      for (const kind of ['metric', 'slice', 'segment'] as const) {
        const of = used.filter((n) => n.kind === kind);
        if (of.length) out.push(`  ${`${kind}s`.padEnd(9)} ${of.map((n) => `${n.name} ${dim(`(${where(n)})`)}`).join(', ')}`);
      }
      if (!used.length) out.push('  none');
      out.push('', `use it:  ${quireCommand()} templates use ${t.name} [notebooks/<file>.yaml]`);
      process.stdout.write(`${out.join('\n')}\n`);
    });

  templates
    .command('use')
    .description('copy a template into the project: the notebook, and the metric specs it needs')
    .argument('<name>', 'template name (see quire templates list)')
    .argument('[notebook]', 'the notebook file to write (default notebooks/<name>.yaml)')
    .option('--force', "overwrite the notebook and the template's spec file if they exist")
    .option('--json', 'print the result as JSON')
    .action(async (name: string, target: string | undefined, opts: { force?: boolean; json?: boolean }) => {
      const r = await useTemplate({ name, target, force: opts.force });
      const cwd = process.cwd();
      const rel = (p: string) => relative(cwd, p) || p;
      if (opts.json) {
        process.stdout.write(
          `${JSON.stringify(
            {
              template: r.template.name,
              notebook: rel(r.notebook),
              metrics_file: r.metricsFile && rel(r.metricsFile),
              added: r.added,
              kept: r.kept,
              inline: r.inline,
              overwritten: r.overwritten.map(rel),
              run: r.runCommand,
            },
            null,
            2,
          )}\n`,
        );
        return;
      }
      const lines = [`${green('✓')} ${r.overwritten.includes(r.notebook) ? 'replaced' : 'created'} ${rel(r.notebook)} from template ${r.template.name}`];
      if (r.metricsFile) lines.push(`${green('✓')} ${r.overwritten.includes(r.metricsFile) ? 'replaced' : 'wrote'} ${rel(r.metricsFile)}: ${r.added.map((a) => `${a.kind} ${a.name}`).join(', ')}`);
      if (r.kept.length) lines.push(dim(`  already in the project, same definition: ${r.kept.map((k) => `${k.name} (${k.at})`).join(', ')}`));
      if (r.inline.length) lines.push(dim(`  defined in the notebook itself: ${r.inline.map((k) => k.name).join(', ')}`));
      if (!r.project.configPath) lines.push(dim(`  note: no quire.yaml above ${rel(r.notebook)}; add one with \`database:\` pointing at your data (quire demo-data builds the demo warehouse)`));
      const example = r.template.params.find((p) => p.type === 'month' || p.type === 'select');
      lines.push('', 'run it:', `  ${r.runCommand}`);
      if (example) {
        const value = example.type === 'month' ? '2026-10' : String(example.options?.[1] ?? example.options?.[0]);
        lines.push(`  ${r.runCommand} -p ${example.name}=${value}`);
      }
      process.stdout.write(`${lines.join('\n')}\n`);
    });

  templates
    .command('gallery')
    .description("build a static, offline gallery page: one card per template with a picture of its report's first page")
    .option('--out <dir>', 'folder to write index.html into', 'gallery')
    .option('--database <path>', "the demo warehouse to run the templates on (default: the project's database)")
    .option('--only <names>', 'comma-separated template names (default: all)')
    .action(async (opts: { out: string; database?: string; only?: string }) => {
      const r = await buildGallery({
        out: opts.out,
        database: opts.database,
        only: opts.only
          ? opts.only
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean)
          : undefined,
        onProgress: (msg) => process.stderr.write(`${msg}\n`),
      });
      process.stdout.write(`${green('✓')} gallery of ${r.cards} templates: ${relative(process.cwd(), r.index) || r.index}\n`);
      if (r.failed.length) {
        process.stdout.write(`${r.failed.length} template(s) did not run: ${r.failed.join(', ')}\n`);
        process.exitCode = 1;
      }
    });
}
