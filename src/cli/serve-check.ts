/**
 * What `df2 serve` checks before it does any work (demo data, database,
 * indexing, listening): the address it is to listen on, the split folders it
 * is to register (the challenge and its ground truth: server/config.ts).
 * A problem is bad input, one line and exit 1; nothing is registered or
 * started.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { InputError } from '../util/errors.js';

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
