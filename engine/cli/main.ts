import { Command } from 'commander';
import { printError } from './output.js';
import * as commands from './commands.js';

/** Entry point of the `quire` binary. Each command lives in its own file and registers itself. */
export async function main(argv: string[]): Promise<number> {
  const program = new Command();
  program
    .name('quire')
    .description('Run YAML notebooks of SQL, metrics, charts and text on DuckDB and turn them into reports')
    .option('--debug', 'show stack traces for every error')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  for (const register of Object.values(commands)) register(program);
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
  }
}
