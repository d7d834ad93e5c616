/**
 * `df2 users add NAME [--team TEAM] [--admin]`, `users list`, `users revoke
 * NAME`, `users rotate NAME`: accounts of the challenge server. A new token is
 * printed once; only its hash is kept. Works while `df2 serve` runs.
 */
import { existsSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import { InputError } from '../util/errors.js';
import type { Store, User } from '../server/challenge/types.js';
import { hashToken, newToken, TEAM_NAME, USER_NAME } from '../server/challenge/tokens.js';
import { SERVER_DEFAULTS } from '../server/defaults.js';

interface UsersOptions {
  db: string;
  admin?: boolean;
  team?: string;
  json?: boolean;
}

function userName(value: string): string {
  if (!USER_NAME.test(value)) throw new InvalidArgumentError('expected 1-40 letters, digits, ".", "_" or "-", starting with a letter or digit');
  return value;
}

function teamName(value: string): string {
  if (!TEAM_NAME.test(value)) throw new InvalidArgumentError('expected 1-40 letters, digits, spaces, ".", "_" or "-"');
  return value;
}

const fail = (line: string): void => {
  process.stderr.write(`df2: ${line}\n`);
  process.exitCode = 1;
};

export function registerUsers(program: Command): void {
  const users = program
    .command('users')
    .description('manage the accounts of the challenge server (df2 serve)')
    .addHelpText(
      'after',
      `
Examples:
  $ df2 users add alice --team "Lab A"   # prints alice's API token, once
  $ df2 users add bob --admin --db /srv/df2/df2.sqlite
  $ df2 users list
  $ df2 users rotate alice                # a new token; the old one stops working at once
  $ df2 users revoke alice                # no token, session or sign-in works any more`,
    );
  users
    .command('add')
    .description('create a user and print a new API token (shown once; only its hash is stored)')
    .argument('<name>', 'user name shown on the leaderboard (unique, whatever the case)', userName)
    .option('--team <team>', 'team the user submits for (limits and leaderboard rows are per team); none: a team of one', teamName)
    .option('--admin', 'may manage users, submissions and splits in the app')
    .option('--db <file|url>', 'database of df2 serve: SQLite file or postgres:// URL', SERVER_DEFAULTS.db)
    .option('--json', 'print {"name", "team", "admin", "token"} as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ df2 users add alice
  $ df2 users add carol --team "Lab A"
  $ df2 users add admin --admin --db /srv/df2/df2.sqlite
  $ curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8420/api/me`,
    )
    .action(async (name: string, options: UsersOptions) => {
      await withStore(
        options.db,
        async (store) => {
          const existing = await store.userByName(name);
          if (existing) return fail(`a user named ${existing.name} exists already in ${options.db}`);
          const token = newToken();
          await store.addUser({ name, admin: options.admin === true, team: options.team ?? null, tokenHash: hashToken(token) });
          if (options.json) process.stdout.write(`${JSON.stringify({ name, team: options.team ?? null, admin: options.admin === true, token })}\n`);
          else process.stdout.write(`${token}\n`);
          if (!options.json && process.stderr.isTTY)
            process.stderr.write(`created ${options.admin ? 'admin ' : ''}user ${name}; keep the token: it is not shown again\n`);
        },
        { create: true },
      );
    });
  users
    .command('list')
    .description('list the users')
    .option('--db <file|url>', 'database of df2 serve: SQLite file or postgres:// URL', SERVER_DEFAULTS.db)
    .option('--json', 'print the users as JSON')
    .addHelpText('after', '\nExample:\n  $ df2 users list --db .df2/df2.sqlite')
    .action(async (options: UsersOptions) => {
      await withStore(options.db, async (store) => {
        const list = await store.listUsers();
        if (options.json) process.stdout.write(`${JSON.stringify(list)}\n`);
        else {
          for (const u of list) {
            const marks = [u.team ? `team ${u.team}` : '', u.admin ? 'admin' : '', u.revokedAt ? 'revoked' : ''].filter(Boolean).join(', ');
            process.stdout.write(`${u.name}${marks ? ` (${marks})` : ''}\t${u.createdAt}\n`);
          }
        }
      });
    });
  users
    .command('revoke')
    .description('revoke a user: the token, browser sessions and sign-in stop working at once (submissions stay)')
    .argument('<name>', 'user name', userName)
    .option('--db <file|url>', 'database of df2 serve: SQLite file or postgres:// URL', SERVER_DEFAULTS.db)
    .addHelpText('after', '\nExample:\n  $ df2 users revoke alice --db /srv/df2/df2.sqlite')
    .action(async (name: string, options: UsersOptions) => {
      await withUser(options.db, name, async (store, user) => {
        await store.revokeUser(user.id, new Date().toISOString());
        if (process.stderr.isTTY) process.stderr.write(`revoked ${user.name}; \`df2 users rotate ${user.name}\` gives them a new token\n`);
      });
    });
  users
    .command('rotate')
    .description('print a new API token for a user (shown once); the old one and their sessions stop working at once; reinstates a revoked user')
    .argument('<name>', 'user name', userName)
    .option('--db <file|url>', 'database of df2 serve: SQLite file or postgres:// URL', SERVER_DEFAULTS.db)
    .option('--json', 'print {"name", "token"} as JSON')
    .addHelpText('after', '\nExample:\n  $ df2 users rotate alice --db /srv/df2/df2.sqlite')
    .action(async (name: string, options: UsersOptions) => {
      await withUser(options.db, name, async (store, user) => {
        const token = newToken();
        await store.setToken(user.id, hashToken(token));
        process.stdout.write(options.json ? `${JSON.stringify({ name: user.name, token })}\n` : `${token}\n`);
      });
    });
}

/** Runs `work` on the user named `name` (any case), or says in one line that there is none. */
function withUser(file: string, name: string, work: (store: Store, user: User) => Promise<void>): Promise<void> {
  return withStore(file, async (store) => {
    const user = await store.userByName(name);
    if (!user) return fail(`no user named ${name} in ${file}`);
    await work(store, user);
  });
}

/**
 * Runs `work` on the challenge store of `--db` (SQLite file or postgres:// URL); the store loads only when a users command runs.
 * Only `users add` may make a new SQLite file: the others would find no user in it, and a mistyped --db would leave an empty database behind.
 */
async function withStore(db: string, work: (store: Store) => Promise<void>, options: { create?: boolean } = {}): Promise<void> {
  const { openChallengeStore } = await import('../server/backend.js');
  const { isPostgresUrl } = await import('../server/store/postgres.js');
  if (!options.create && !isPostgresUrl(db) && !existsSync(db)) {
    throw new InputError(db, '', 'the database of df2 serve (--db; `df2 serve` or `df2 users add` makes it)', 'no such file');
  }
  const opened = await openChallengeStore(db);
  try {
    await work(opened.store);
  } finally {
    await opened.close();
  }
}
