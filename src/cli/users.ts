/**
 * `df2 users add NAME [--admin] [--db FILE]` and `df2 users list`: accounts
 * of the challenge server. A new token is printed once; only its hash is kept.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { hashToken, newToken, USER_NAME } from '../server/challenge/tokens.js';
import type { Store } from '../server/challenge/types.js';
import { DEFAULT_DB_FILE } from './serve.js';

interface UsersOptions {
  db: string;
  admin?: boolean;
  json?: boolean;
}

function userName(value: string): string {
  if (!USER_NAME.test(value)) throw new InvalidArgumentError('expected 1-40 letters, digits, ".", "_" or "-", starting with a letter or digit');
  return value;
}

export function registerUsers(program: Command): void {
  const users = program
    .command('users')
    .description('manage the accounts of the challenge server (df2 serve)')
    .addHelpText(
      'after',
      `
Examples:
  $ df2 users add alice            # prints alice's API token, once
  $ df2 users add bob --admin --db /srv/df2/df2.sqlite
  $ df2 users list`,
    );
  users
    .command('add')
    .description('create a user and print a new API token (shown once; only its hash is stored)')
    .argument('<name>', 'user name shown on the leaderboard', userName)
    .option('--admin', 'may create users and add splits in the app')
    .option('--db <file|url>', 'database of df2 serve: SQLite file or postgres:// URL', DEFAULT_DB_FILE)
    .option('--json', 'print {"name", "admin", "token"} as JSON')
    .addHelpText('after', `
Examples:
  $ df2 users add alice
  $ df2 users add admin --admin --db /srv/df2/df2.sqlite
  $ curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8420/api/me`)
    .action(async (name: string, options: UsersOptions) => {
      const { db, store } = await openStore(options.db);
      try {
        if (await store.userByName(name)) {
          process.stderr.write(`df2: a user named ${name} exists already\n`);
          process.exitCode = 1;
          return;
        }
        const token = newToken();
        await store.addUser(name, options.admin === true, hashToken(token));
        if (options.json) process.stdout.write(`${JSON.stringify({ name, admin: options.admin === true, token })}\n`);
        else process.stdout.write(`${token}\n`);
        if (!options.json && process.stderr.isTTY) process.stderr.write(`created ${options.admin ? 'admin ' : ''}user ${name}; keep the token: it is not shown again\n`);
      } finally {
        await db.close();
      }
    });
  users
    .command('list')
    .description('list the users')
    .option('--db <file|url>', 'database of df2 serve: SQLite file or postgres:// URL', DEFAULT_DB_FILE)
    .option('--json', 'print the users as JSON')
    .addHelpText('after', '\nExample:\n  $ df2 users list --db .df2/df2.sqlite')
    .action(async (options: UsersOptions) => {
      const { db, store } = await openStore(options.db);
      try {
        const list = await store.listUsers();
        if (options.json) process.stdout.write(`${JSON.stringify(list)}\n`);
        else for (const u of list) process.stdout.write(`${u.name}${u.admin ? ' (admin)' : ''}\t${u.createdAt}\n`);
      } finally {
        await db.close();
      }
    });
}

/** The challenge store of `--db` (SQLite file or postgres:// URL); loaded only when a users command runs. */
async function openStore(db: string): Promise<{ db: { close(): Promise<void> }; store: Store }> {
  const { openChallengeStore } = await import('../server/backend.js');
  const opened = await openChallengeStore(db);
  return { db: opened, store: opened.store };
}
