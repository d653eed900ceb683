import type { Command } from 'commander';
import { ValidationErrors, errorToJson, formatError } from '../util/errors.js';
import { warmInstance } from '../duck/duck.js';
import { DUCK_POOL } from '../duck/duck-pool.js';
import { processState } from '../util/state.js';
import { green } from './progress.js';
import { countOf } from '../report/html/numbers.js';

export function register(program: Command): void {
  program
    .command('validate')
    .description('check notebooks without running them: schema, ids, dependencies, SQL and Liquid syntax, table and column names')
    .argument('<notebooks...>', 'notebook files')
    .option('--json', 'print the result as JSON')
    .action(async (files: string[], opts: { json?: boolean }) => {
      // DuckDB starts on its own threads while the validator (schemas, YAML, cell types) loads.
      warmInstance(processState().get(DUCK_POOL));
      const { validateNotebook } = await import('../validate.js');
      let failed = false;
      const report: unknown[] = [];
      for (const file of files) {
        try {
          const nb = await validateNotebook(file);
          report.push({ file, valid: true, cells: nb.cells.length, errors: [] });
          if (!opts.json) process.stdout.write(`${green('✓')} ${file} is valid (${countOf(nb.cells.length, 'cell')})\n`);
        } catch (err) {
          if (!(err instanceof ValidationErrors)) throw err;
          failed = true;
          report.push({ file, valid: false, errors: err.errors.map(errorToJson) });
          if (!opts.json) {
            for (const e of err.errors) process.stderr.write(`${formatError(e)}\n\n`);
            process.stderr.write(`${file}: ${err.message}\n`);
          }
        }
      }
      if (opts.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      process.exitCode = failed ? 1 : 0;
    });
}
