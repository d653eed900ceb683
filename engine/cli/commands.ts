import { Help, type Command } from 'commander';

type Register = (program: Command) => void;

export interface CommandEntry {
  /** How `quire --help` lists it (commander's term: name, [options], arguments). */
  term: string;
  description: string;
  hidden?: boolean;
  load: () => Promise<{ register: Register }>;
}

/**
 * Every command by name, each in its own file exporting `register(program)`, loaded only when
 * named: `quire run` loads the run command alone, and `quire --help` lists these terms without
 * loading any (test/unit/cli-help.test.ts holds them equal to what each command registers).
 */
export const COMMANDS: Record<string, CommandEntry> = {
  run: { term: 'run [options] <notebook>', description: 'run a notebook and write its run folder (run.json, run.log, outputs, reports)', load: () => import('./run.js') },
  validate: {
    term: 'validate [options] <notebooks...>',
    description: 'check notebooks without running them: schema, ids, dependencies, SQL and Liquid syntax, table and column names',
    load: () => import('./validate.js'),
  },
  runs: { term: 'runs', description: 'list and inspect past runs', load: () => import('./runs.js') },
  graph: { term: 'graph [options] <notebook>', description: 'print the notebook DAG', load: () => import('./graph.js') },
  schema: { term: 'schema', description: 'print the notebook JSON Schema (shipped as schema/notebook.schema.json)', load: () => import('./schema.js') },
  demo: { term: 'demo', description: 'build the demo data if missing, then run notebooks/monthly-review.yaml', load: () => import('./demo.js') },
  'demo-data': {
    term: 'demo-data [options]',
    description: 'build the deterministic demo DuckDB warehouse (customers, orders, subscriptions, events, tickets, experiments)',
    load: () => import('./demo-data.js'),
  },
  metrics: { term: 'metrics', description: 'the metric catalog: list, show, validate and compute metrics of the project', load: () => import('./metrics.js') },
  export: {
    term: 'export [options] <run-id...>',
    description: 'render finished runs again (html, pdf, xlsx) from their stored outputs, without re-running queries',
    load: () => import('./export.js'),
  },
  schedule: { term: 'schedule', description: "the schedules of a project's notebooks", load: () => import('./schedule.js') },
  scheduler: {
    term: 'scheduler [options] [dir]',
    description: 'run scheduled notebooks and email their reports (a long-running process; SIGTERM stops it cleanly)',
    load: () => import('./scheduler.js'),
  },
  send: {
    term: 'send [options] <run-id>',
    description: 'email the report of an existing run (through the outbox: a copy already sent is not sent again)',
    load: () => import('./send.js'),
  },
  plan: {
    term: 'plan [options] <notebook>',
    description: 'show, without running: the resolved params, the run order, and which cells the cache serves (and why the others run)',
    load: () => import('./plan.js'),
  },
  connections: { term: 'connections', description: 'the connections of quire.yaml: list them, test one (reachable, version, latency, read-only)', load: () => import('./connections.js') },
  cache: { term: 'cache', description: 'the cell cache (under the runs folder)', load: () => import('./cache.js') },
  rerun: {
    term: 'rerun [options] <run-id>',
    description: "run a notebook again with an earlier run's resolved params (exactly), overriding only those given",
    load: () => import('./rerun.js'),
  },
  stats: { term: 'stats', description: 'statistics for planning and reading experiments: sample-size', load: () => import('./stats.js') },
  templates: { term: 'templates', description: 'the template gallery: ready notebooks on the demo data — list, show, use, gallery', load: () => import('./templates.js') },
  worker: {
    term: 'worker [options] [dir]',
    description: 'run queued notebooks (quire.yaml `queue:`): any number of workers on any machines; SIGTERM finishes the current runs',
    load: () => import('./worker.js'),
  },
  workers: { term: 'workers [options] [dir]', description: 'the live queue workers, their runs and last heartbeat', load: () => import('./workers.js') },
  queue: { term: 'queue', description: 'the run queue of quire.yaml `queue:`', load: () => import('./queue.js') },
  serve: {
    term: 'serve [options] [dir]',
    description: 'serve the web app and REST API of a project (127.0.0.1 by default; other hosts need tokens)',
    load: () => import('./serve.js'),
  },
  tokens: { term: 'tokens', description: 'access tokens of `quire serve` (stored hashed in .quire/tokens.json)', load: () => import('./tokens.js') },
  '__run-child': { term: '__run-child [notebook]', description: 'run one notebook for the scheduler (job on stdin, events on stdout)', hidden: true, load: () => import('./run-child.js') },
};

/** Lists every command by its term and description without loading any (for help and typos). */
export function registerSummaries(program: Command): void {
  for (const [name, entry] of Object.entries(COMMANDS)) program.command(name, { hidden: entry.hidden }).description(entry.description);
  const term = new Help().subcommandTerm.bind(new Help());
  program.configureHelp({ subcommandTerm: (cmd) => COMMANDS[cmd.name()]?.term ?? term(cmd) });
}
