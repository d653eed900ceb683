import type { Command } from 'commander';

type Register = (program: Command) => void;

/**
 * Every command by name, each in its own file exporting `register(program)`. Loaded on demand:
 * `quire run` loads the run command only (see main.ts), which keeps start-up short.
 */
export const COMMANDS: Record<string, () => Promise<{ register: Register }>> = {
  run: () => import('./run.js'),
  validate: () => import('./validate.js'),
  runs: () => import('./runs.js'),
  graph: () => import('./graph.js'),
  schema: () => import('./schema.js'),
  demo: () => import('./demo.js'),
  'demo-data': () => import('./demo-data.js'),
  metrics: () => import('./metrics.js'),
  export: () => import('./export.js'),
  schedule: () => import('./schedule.js'),
  scheduler: () => import('./scheduler.js'),
  send: () => import('./send.js'),
  plan: () => import('./plan.js'),
  cache: () => import('./cache.js'),
  rerun: () => import('./rerun.js'),
  templates: () => import('./templates.js'),
  '__run-child': () => import('./run-child.js'),
};
