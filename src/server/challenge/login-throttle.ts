/**
 * Failed sign-ins counted per name and per address, so that guessing
 * passwords is slow whichever way it is spread: after NAME_FAILURES wrong
 * passwords for one name, or ADDRESS_FAILURES from one address, within
 * WINDOW_MS, further tries are refused (429, before any hash is computed)
 * until the window ends. A successful sign-in clears its name's count. The
 * counts live in this process (each web server of a shared database keeps
 * its own) and are bounded in number: the oldest are forgotten first.
 */

export const WINDOW_MS = 15 * 60_000;
export const NAME_FAILURES = 10;
export const ADDRESS_FAILURES = 30;
/** Names and addresses remembered at most (each entry is a few dozen bytes). */
const MAX_ENTRIES = 20_000;

interface Count {
  failures: number;
  /** When the window of this count started (ms). */
  since: number;
}

class Counts {
  private readonly map = new Map<string, Count>();
  constructor(private readonly limit: number) {}

  /** Milliseconds until `key` may try again, or 0. */
  wait(key: string, now: number): number {
    const c = this.map.get(key);
    if (!c || now - c.since >= WINDOW_MS) return 0;
    return c.failures >= this.limit ? c.since + WINDOW_MS - now : 0;
  }

  fail(key: string, now: number): void {
    const c = this.map.get(key);
    if (c && now - c.since < WINDOW_MS) {
      c.failures++;
      return;
    }
    this.map.delete(key);
    // Insertion order is age order: the oldest entry goes first.
    if (this.map.size >= MAX_ENTRIES) this.map.delete(this.map.keys().next().value!);
    this.map.set(key, { failures: 1, since: now });
  }

  clear(key: string): void {
    this.map.delete(key);
  }
}

export class LoginThrottle {
  private readonly names = new Counts(NAME_FAILURES);
  private readonly addresses = new Counts(ADDRESS_FAILURES);

  constructor(private readonly now: () => Date) {}

  /**
   * Seconds to wait before `name` may be tried from `address`, or 0.
   *
   * @example
   * const wait = throttle.retryAfter('alice', '203.0.113.7');
   * if (wait > 0) return fail(429, `too many failed sign-ins; try again in ${wait} s`);
   */
  retryAfter(name: string, address: string): number {
    const t = this.now().getTime();
    return Math.ceil(Math.max(this.names.wait(name.toLowerCase(), t), this.addresses.wait(address, t)) / 1000);
  }

  failed(name: string, address: string): void {
    const t = this.now().getTime();
    this.names.fail(name.toLowerCase(), t);
    this.addresses.fail(address, t);
  }

  succeeded(name: string): void {
    this.names.clear(name.toLowerCase());
  }
}
