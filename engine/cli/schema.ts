import type { Command } from 'commander';
import { notebookJsonSchema } from '../notebooks.js';

export function register(program: Command): void {
  program
    .command('schema')
    .description('print the notebook JSON Schema (shipped as schema/notebook.schema.json)')
    .action(() => {
      process.stdout.write(`${JSON.stringify(notebookJsonSchema(), null, 2)}\n`);
    });
}
