import type { Command } from 'commander';
import { loadProject } from '../project.js';
import { RunConnections } from '../connections/run-connections.js';
import type { Connection, ConnectionProbe } from '../connections/connection.js';
import { QuireError, errorToJson, formatError } from '../util/errors.js';
import { bold, dim, green, red, yellow } from './progress.js';

interface TestResult extends Partial<ConnectionProbe> {
  name: string;
  type: string;
  target: string;
  reachable: boolean;
  error?: Record<string, unknown>;
}

async function testOne(c: Connection): Promise<{ result: TestResult; failure?: QuireError }> {
  const base = { name: c.name, type: c.type, target: c.describe() };
  if (!c.probe) return { result: { ...base, reachable: true, readOnlyDetail: "a file attached to the run's DuckDB session" } };
  try {
    return { result: { ...base, reachable: true, ...(await c.probe()) } };
  } catch (err) {
    if (!(err instanceof QuireError)) throw err;
    return { result: { ...base, reachable: false, error: errorToJson(err) }, failure: err };
  }
}

export function register(program: Command): void {
  const connections = program.command('connections').description('the connections of quire.yaml: list them, test one (reachable, version, latency, read-only)');
  connections
    .command('list')
    .description('list the project database and every connection of quire.yaml (passwords hidden)')
    .option('-C, --dir <dir>', 'project folder (the one with quire.yaml)', '.')
    .option('--json', 'print as JSON')
    .action(async (opts: { dir: string; json?: boolean }) => {
      const run = new RunConnections(loadProject(opts.dir));
      try {
        const rows = run.all().map((c) => ({ name: c.name, type: c.type, target: c.describe() }));
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
          return;
        }
        const width = Math.max(...rows.map((r) => r.name.length));
        for (const r of rows) process.stdout.write(`${bold(r.name.padEnd(width))}  ${r.type.padEnd(8)}  ${dim(r.target)}\n`);
      } finally {
        await run.close();
      }
    });
  connections
    .command('test')
    .description('reach a connection: whether it answers, its server version, round-trip latency, whether sessions are read-only')
    .argument('<name>', 'connection name (default: the project database)')
    .option('-C, --dir <dir>', 'project folder (the one with quire.yaml)', '.')
    .option('--json', 'print as JSON')
    .action(async (name: string, opts: { dir: string; json?: boolean }) => {
      const run = new RunConnections(loadProject(opts.dir));
      try {
        const { result, failure } = await testOne(run.get(name));
        process.exitCode = result.reachable ? 0 : 1;
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
          return;
        }
        const out = [`${bold(result.name)} (${result.type}) ${dim(result.target)}`];
        if (!result.reachable) {
          out.push(`  ${red('unreachable')}`);
          process.stdout.write(`${out.join('\n')}\n`);
          if (failure) process.stderr.write(`${formatError(failure)}\n`);
          return;
        }
        out.push(`  ${green('reachable')}`);
        if (result.version !== undefined) out.push(`  version    ${result.version}`);
        if (result.latencyMs !== undefined) out.push(`  latency    ${result.latencyMs} ms`);
        if (result.readOnly !== undefined) out.push(`  read-only  ${result.readOnly ? green('yes') : yellow('no')}: ${result.readOnlyDetail}`);
        else out.push(`  ${dim(result.readOnlyDetail ?? '')}`);
        process.stdout.write(`${out.join('\n')}\n`);
      } finally {
        await run.close();
      }
    });
}
