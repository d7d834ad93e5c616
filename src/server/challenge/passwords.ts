/**
 * Passwords of accounts that sign in in the browser, hashed with node:crypto's
 * scrypt (memory-hard, so a copy of the database is slow to attack), a salt
 * of 16 random bytes per password, and the cost kept beside the hash so that
 * it can be raised later without breaking stored ones.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const COST: ScryptOptions = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const KEY_BYTES = 32;
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 200;

/** Hashes at once: scrypt runs on libuv's thread pool (4 threads), which file reads (the explorer's images) share. */
export const HASHES_AT_ONCE = 2;
/** Hashes that may wait their turn; more are refused (PasswordsBusy) rather than queued without end. */
export const HASHES_WAITING = 32;

/** Too many password checks at once: the caller answers 503 and the client tries again later. */
export class PasswordsBusy extends Error {
  constructor() {
    super('too many sign-ins at once');
  }
}

/** The turn-taking of hashes (exported for tests: `peak` is the most that ever ran at once). */
export const hashing = {
  running: 0,
  peak: 0,
  waiting: [] as (() => void)[],
};

async function inTurn<T>(work: () => Promise<T>): Promise<T> {
  if (hashing.running >= HASHES_AT_ONCE) {
    if (hashing.waiting.length >= HASHES_WAITING) throw new PasswordsBusy();
    await new Promise<void>((resolve) => hashing.waiting.push(resolve));
  } else hashing.running++;
  hashing.peak = Math.max(hashing.peak, hashing.running);
  try {
    return await work();
  } finally {
    // The turn passes straight to the next waiting hash (running stays the same), or is given back.
    const next = hashing.waiting.shift();
    if (next) next();
    else hashing.running--;
  }
}

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return inTurn(
    () =>
      new Promise((resolve, reject) => {
        scrypt(password.normalize('NFC'), salt, KEY_BYTES, options, (err, key) => (err ? reject(err) : resolve(key)));
      }),
  );
}

/**
 * `scrypt$N$r$p$salt$key` (base64url parts).
 *
 * @example
 * const stored = await hashPassword('correct horse');
 * await verifyPassword('correct horse', stored); // true
 */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, COST);
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, salt, key] = stored.split('$');
  if (kind !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64url');
  const got = await derive(password, Buffer.from(salt, 'base64url'), { N: Number(n), r: Number(r), p: Number(p), maxmem: COST.maxmem });
  return got.length === expected.length && timingSafeEqual(got, expected);
}

/** A stored hash to check against when the name is unknown, so that the answer takes as long either way. */
export const DUMMY_HASH = `scrypt$16384$8$1$${Buffer.alloc(16).toString('base64url')}$${Buffer.alloc(KEY_BYTES).toString('base64url')}`;
