import type { Command } from 'commander';
import { projectDir } from './project-dir.js';
import { UserError } from '../util/errors.js';
import { loadProject, projectPath } from '../project.js';
import { listSchedules } from '../schedule/list.js';
import { bold, dim, red } from './progress.js';

export function register(program: Command): void {
  const schedule = program.command('schedule').description("the schedules of a project's notebooks");
  schedule
    .command('list')
    .description('every schedule with its next fire times, in its own timezone and in UTC')
    .argument('[dir]', 'project folder to scan for notebooks', '.')
    .option('-n, --count <n>', 'fire times per schedule', (v) => Number.parseInt(v, 10), 3)
    .option('--from <time>', 'list fire times after this ISO 8601 instant (default: now)')
    .option('--json', 'print as JSON')
    .action((dir: string, opts: { count: number; from?: string; json?: boolean }) => {
      const root = projectDir(dir);
      const project = loadProject(root);
      const from = opts.from === undefined ? Date.now() : Date.parse(opts.from);
      if (Number.isNaN(from)) throw new UserError('E_BAD_ARGUMENT', `--from '${opts.from}' is not a date-time`, { hint: 'e.g. --from 2026-03-28T00:00:00Z' });
      if (!Number.isInteger(opts.count) || opts.count < 1 || opts.count > 100) throw new UserError('E_BAD_ARGUMENT', '--count takes 1 to 100', {});
      const { schedules, problems } = listSchedules(root, { timezone: project.config.timezone, from, count: opts.count, exclude: [projectPath(project, project.config.runs_dir)] });
      if (opts.json) process.stdout.write(`${JSON.stringify({ schedules, problems }, null, 2)}\n`);
      else {
        if (!schedules.length && !problems.length) process.stdout.write('no schedules found\n');
        const out: string[] = [];
        for (const s of schedules) {
          out.push(`${bold(s.key)}  cron "${s.cron}"  ${s.timezone}  ${dim(`missed=${s.missed} overlap=${s.overlap} retries=${s.retries}${s.email.length ? ` email=${s.email.join(',')}` : ''}`)}`);
          for (const n of s.next) out.push(`  ${n.local}   ${dim(n.utc)}`);
        }
        if (out.length) process.stdout.write(`${out.join('\n')}\n`);
      }
      for (const p of problems) process.stderr.write(`${red('error')} ${p}\n`);
      process.exitCode = problems.length ? 1 : 0;
    });
}
