/**
 * Whether this process's database answers, and what to do while it does
 * not. A PostgreSQL outage (a restart, a failover, a network cut) must cost
 * latency, not processes: work that needs the database waits with backoff
 * (`untilReachable`), the web server answers 503, and the log says once
 * that the database went away and once that it came back, not a line per
 * failed query.
 */

/** SQLSTATE classes and codes, and Node's socket errors, that mean "no database right now", not "a wrong query". */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  '57P01', // admin_shutdown (a fast or immediate stop)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, shutting down)
  '53300', // too_many_connections
]);

/**
 * True when `err` says the database cannot be reached (refused, cut, shutting down), as opposed to an
 * error of the query itself: only the first kind is worth waiting for.
 */
export function isUnreachable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (UNREACHABLE_CODES.has(code) || code.startsWith('08'))) return true;
  // node-postgres's own words for a connection that went away under a query or while connecting.
  return /Connection terminated|connection timeout|Client has encountered a connection error|terminating connection/i.test(err.message);
}

/** Backoff of retries: 0.5 s, doubled, at most 10 s. */
export const RETRY_FIRST_MS = 500;
export const RETRY_MAX_MS = 10_000;

/**
 * The state of one process's database, shared by its store, queue and evaluator. Failures and
 * recoveries are reported to it; it logs the transitions (never the URL or its password).
 */
export class DatabaseLink {
  private downSince: number | undefined;
  private backSince: number | undefined;
  private lastError = '';

  constructor(private readonly write: (line: string) => void = (line) => process.stderr.write(`${line}\n`)) {}

  /** A query failed because the database is unreachable (other errors are not reported here). */
  failed(err: unknown): void {
    this.lastError = err instanceof Error ? err.message : String(err);
    if (this.downSince !== undefined) return;
    this.downSince = Date.now();
    this.write(`df2: database unreachable (${this.lastError}); work waits and retries with backoff`);
  }

  /** A query succeeded. */
  ok(): void {
    if (this.downSince === undefined) return;
    const seconds = (Date.now() - this.downSince) / 1000;
    this.downSince = undefined;
    this.backSince = Date.now();
    this.write(`df2: database reachable again after ${seconds.toFixed(1)} s`);
  }

  /** Undefined while reachable; else since when (ms) and the last error. */
  get outage(): { since: number; error: string } | undefined {
    return this.downSince === undefined ? undefined : { since: this.downSince, error: this.lastError };
  }

  /** True while the database is unreachable, or came back less than `ms` ago. */
  unsettled(ms: number): boolean {
    return this.downSince !== undefined || (this.backSince !== undefined && Date.now() - this.backSince < ms);
  }

  /** Runs `task`, reporting its outcome: an unreachable database is recorded, the error rethrown. */
  async watch<T>(task: () => Promise<T>): Promise<T> {
    try {
      const out = await task();
      this.ok();
      return out;
    } catch (err) {
      if (isUnreachable(err)) this.failed(err);
      throw err;
    }
  }

  /**
   * Runs `task` until it does not fail for want of a database, waiting 0.5 s, 1 s, 2 s ... at most 10 s
   * between tries. Other errors are thrown at once; so is the last one when `giveUp()` turns true.
   *
   * @example
   * const claim = await link.untilReachable(() => submissions.claim(id, workerId), () => stopping);
   */
  async untilReachable<T>(task: () => Promise<T>, giveUp: () => boolean = () => false): Promise<T> {
    for (let wait = RETRY_FIRST_MS; ; wait = Math.min(RETRY_MAX_MS, wait * 2)) {
      try {
        return await this.watch(task);
      } catch (err) {
        if (!isUnreachable(err) || giveUp()) throw err;
      }
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}
