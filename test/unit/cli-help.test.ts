import { describe, expect, it } from 'vitest';
import { Command, Help } from 'commander';
import { COMMANDS } from '../../engine/cli/commands.js';

describe('quire --help lists commands without loading them', () => {
  it('each summary equals what the command registers (term, description, hidden)', async () => {
    for (const [name, entry] of Object.entries(COMMANDS)) {
      const program = new Command();
      (await entry.load()).register(program);
      const cmd = program.commands.find((c) => c.name() === name);
      expect(cmd, name).toBeDefined();
      expect({ name, term: entry.term, description: entry.description }).toEqual({ name, term: new Help().subcommandTerm(cmd!), description: cmd!.description() });
      expect(Boolean(entry.hidden), name).toBe(Boolean((cmd as unknown as { _hidden?: boolean })._hidden));
    }
  });
});
