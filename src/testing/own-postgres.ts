/**
 * A PostgreSQL server of the test's own (initdb into a temporary directory,
 * pg_ctl on a free port), for tests that stop and start it: the shared test
 * server of DF2_TEST_PG_URL serves other test files at the same time and
 * must never go down. PostgreSQL refuses to run as root: as root, its
 * programs run as the `postgres` user, in a directory that user owns.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ignoreRejection } from '../util/ignore-rejection.js';

const run = promisify(execFile);

/** The newest PostgreSQL's bin directory (Debian's layout), or undefined. */
function pgBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin');
}

const asRoot = (): boolean => process.getuid?.() === 0;

/** Why a test cannot run a PostgreSQL of its own here (no binaries; root without a `postgres` user), or undefined. */
export function ownPostgresUnavailable(): string | undefined {
  if (!pgBinDir()) return 'no PostgreSQL programs in /usr/lib/postgresql/*/bin';
  if (asRoot()) {
    try {
      execFileSync('id', ['-u', 'postgres'], { stdio: 'ignore' });
    } catch {
      return 'running as root without a postgres user to run PostgreSQL as';
    }
  }
  return undefined;
}

export interface OwnPostgres {
  /** postgres:// URL of its database `df2` (superuser df2, no password: trust on 127.0.0.1 only). */
  url: string;
  port: number;
  /** Fast shutdown: connections are cut, as in an outage. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it (when running) and removes its directory. */
  remove(): Promise<void>;
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

/**
 * initdb, start, and a database `df2`. Call remove() in the test's `after`.
 *
 * @example
 * const pg = await startOwnPostgres();
 * await pg.stop(); await pg.start();
 * await pg.remove();
 */
export async function startOwnPostgres(): Promise<OwnPostgres> {
  const bin = pgBinDir();
  if (!bin) throw new Error('no PostgreSQL programs in /usr/lib/postgresql/*/bin');
  const dir = await mkdtemp(join(tmpdir(), 'df2-own-pg-'));
  let uid: number | undefined;
  if (asRoot()) {
    uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    await chown(dir, uid, gid);
  }
  const pgRun = (program: string, args: string[]): Promise<unknown> =>
    uid === undefined ? run(join(bin, program), args) : run('runuser', ['-u', 'postgres', '--', join(bin, program), ...args]);
  const data = join(dir, 'data');
  const port = await freePort();
  let running = false;
  const start = async (): Promise<void> => {
    // The socket directory is the test's own: the system's /var/run/postgresql may not exist or be shared.
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100`;
    await pgRun('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-o', options, '-w', '-t', '60', 'start']);
    running = true;
  };
  const stop = async (): Promise<void> => {
    await pgRun('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']);
    running = false;
  };
  try {
    await pgRun('initdb', ['-D', data, '-U', 'df2', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale', 'C']);
    await start();
    await pgRun('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'df2', 'df2']);
  } catch (err) {
    if (running) await ignoreRejection(stop(), 'the failure being handled is the one reported');
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    url: `postgres://df2@127.0.0.1:${port}/df2`,
    port,
    stop,
    start,
    async remove() {
      if (running) await ignoreRejection(stop(), 'the failure being handled is the one reported');
      await rm(dir, { recursive: true, force: true });
    },
  };
}
