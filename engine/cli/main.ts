import { Command } from 'commander';
import { printError } from './output.js';
import { COMMANDS, registerSummaries } from './commands.js';
import { closeProcessState } from '../util/state.js';
import { quireVersion } from '../util/package-root.js';

/** Entry point of the `quire` binary. Each command lives in its own file and registers itself. */
export async function main(argv: string[]): Promise<number> {
  ignoreClosedOutput();
  const program = new Command();
  program
    .name('quire')
    .description('Run YAML notebooks of SQL, metrics, charts and text on DuckDB and turn them into reports')
    .version(quireVersion(), '-V, --version', 'print the version of quire')
    .option('--debug', 'show stack traces for every error')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  // The command named on the command line is the only one loaded; help and typos list summaries.
  const named = argv.slice(2).find((a) => !a.startsWith('-'));
  if (named !== undefined && Object.hasOwn(COMMANDS, named)) (await COMMANDS[named]!.load()).register(program);
  else if (named === 'help' && argv[3] !== undefined && Object.hasOwn(COMMANDS, argv[3])) (await COMMANDS[argv[3]]!.load()).register(program);
  else registerSummaries(program);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    if (code.startsWith('commander.')) {
      return code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help' ? 0 : 2;
    }
    printError(err, { debug: Boolean(program.opts().debug) });
    return 1;
  } finally {
    // The command's pools and caches (the scheduler has its own and closes it when it stops).
    await closeProcessState({ exiting: true }).catch((err: unknown) => printError(err, { debug: Boolean(program.opts().debug) }));
  }
}

/**
 * `quire ... | head -1` closes the pipe: further writes fail with EPIPE, reported as an 'error'
 * event that would end the process with a stack trace. Output nobody reads is dropped instead
 * (`quire run` also stops its run, see run.ts); other stream errors stay fatal.
 */
function ignoreClosedOutput(): void {
  for (const stream of [process.stdout, process.stderr]) {
    if (stream.listenerCount('error') > 0) continue;
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
      process.exitCode ||= 1;
    });
  }
}
