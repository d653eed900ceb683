import type { Command } from 'commander';
import { findProjectRoot } from '../project.js';
import { UserError } from '../util/errors.js';
import { TokenStore, tokensPath } from '../server/auth/tokens.js';
import { ROLES, isRole } from '../server/auth/roles.js';

const store = (dir: string) => new TokenStore(tokensPath(findProjectRoot(dir).root));

export function register(program: Command): void {
  const tokens = program.command('tokens').description('access tokens of `quire serve` (stored hashed in .quire/tokens.json)');
  tokens
    .command('create')
    .description('make a token; it is printed once')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
    .option('--name <name>', 'who or what it is for')
    .option('--dir <dir>', 'project folder', '.')
    .option('--json', 'print { id, name, role, token } as JSON')
    .action((opts: { role: string; name?: string; dir: string; json?: boolean }) => {
      if (!isRole(opts.role))
        throw new UserError('E_BAD_ARGUMENT', `--role takes ${ROLES.join(', ')}, got '${opts.role}'`, { hint: 'viewers read, runners also run, admins also change schedules and data' });
      const tokens = store(opts.dir);
      // `revoke <name>` removes every token of that name, so a name stays one token's.
      const taken = opts.name?.trim() ? tokens.list().find((t) => t.name === opts.name!.trim()) : undefined;
      if (taken)
        throw new UserError('E_TOKEN_NAME_TAKEN', `a token named '${taken.name}' exists already (${taken.id}, role ${taken.role})`, {
          hint: `give another --name, or revoke it first: quire tokens revoke ${taken.id}`,
        });
      const { secret, record } = tokens.create(opts.role, opts.name, new Date());
      if (opts.json) process.stdout.write(`${JSON.stringify({ id: record.id, name: record.name, role: record.role, token: secret })}\n`);
      else process.stdout.write(`${secret}\n(token ${record.id} "${record.name}", role ${record.role}; it is shown only now)\n`);
    });
  tokens
    .command('list')
    .description('the tokens (not their secrets)')
    .option('--dir <dir>', 'project folder', '.')
    .option('--json', 'print JSON')
    .action((opts: { dir: string; json?: boolean }) => {
      const list = store(opts.dir)
        .list()
        .map(({ sha256: _hash, ...t }) => t);
      if (opts.json) process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
      else if (!list.length) process.stdout.write('no tokens (quire serve on 127.0.0.1 treats the local user as admin)\n');
      else for (const t of list) process.stdout.write(`${t.id}  ${t.role.padEnd(6)}  ${t.name}  (created ${t.created_at})\n`);
    });
  tokens
    .command('revoke')
    .description('remove a token (by id or name); its sessions end at once')
    .argument('<token>', 'token id or name')
    .option('--dir <dir>', 'project folder', '.')
    .action((token: string, opts: { dir: string }) => {
      if (!store(opts.dir).revoke(token)) throw new UserError('E_TOKEN_UNKNOWN', `no token '${token}'`, { hint: 'see `quire tokens list`' });
      process.stdout.write(`revoked ${token}\n`);
    });
}
