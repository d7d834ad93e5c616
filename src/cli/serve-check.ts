/**
 * What `df2 serve` checks before it does any work (demo data, database,
 * indexing, listening): the address it is to listen on, the split folders it
 * is to register (the challenge and its ground truth: server/config.ts).
 * A problem is bad input, one line and exit 1; nothing is registered or
 * started.
 */
import { lookup } from 'node:dns/promises';
import { stat } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { InputError } from '../util/errors.js';

const isDirectory = (path: string): Promise<boolean> =>
  stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );

/**
 * The --host must be an address or a name this machine resolves: a name that
 * looks like an IPv4 address must be one (999.1.1.1 is not).
 *
 * @example
 * await checkListenHost('127.0.0.1'); // resolves
 * await checkListenHost('999.1.1.1'); // throws InputError: 999.1.1.1: expected an IP address or host name (--host), ...
 */
export async function checkListenHost(host: string): Promise<void> {
  const expected = 'an IP address or host name of this machine (--host)';
  if (isIP(host) !== 0) return;
  if (/^[\d.]+$/.test(host) || host.includes(':')) throw new InputError(host, '', expected, 'not a valid address');
  await lookup(host).catch(() => {
    throw new InputError(host, '', expected, 'a name that does not resolve');
  });
}

/** Every --data folder must be a split: a folder holding annos/. Checked before any is registered. */
export async function checkSplitDirs(dirs: readonly string[]): Promise<void> {
  for (const dir of dirs) {
    if (!(await isDirectory(dir))) throw new InputError(dir, '', 'a split folder holding annos/ and image/ (--data)', 'no such folder');
    if (!(await isDirectory(join(dir, 'annos')))) throw new InputError(dir, '', 'a split folder holding annos/ and image/ (--data)', 'no annos/ folder');
  }
}
