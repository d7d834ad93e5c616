/**
 * Reading a large results file on two threads: this thread reads from the
 * start, another reads the second half (results-tail.ts) from a boundary
 * guessed near the middle (findBoundary). This thread stops when it arrives at exactly that
 * boundary and appends what the other read; if it passes the boundary
 * without arriving at it (the guess was inside a value), or the other
 * thread gave up, this thread reads on by itself from where it is.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { WorkerClient } from '../../util/worker-client.js';
import { ignoreRejection } from '../../util/ignore-rejection.js';
import type { FastReadOptions, FinishedResultColumns } from './results-fast.js';
import { type TailRequest, findBoundary } from './results-tail.js';

/** Below this size one thread reads the file (a second one costs more to start than it saves). */
const SPLIT_MIN_BYTES = 64 << 20;
/** How far from the middle a boundary between results is looked for (a keypoint result is some 3 KB, a mask result 1 KB). */
const BOUNDARY_WINDOW = 1 << 20;

/** Thrown by the first reader's handler where the second half begins, to stop the stream there. */
export class StopAtSecondHalf extends Error {
  constructor(
    /** File offset of the second half's first result. */
    readonly offset: number,
    /** Its index in the file. */
    readonly index: number,
  ) {
    super('the first half of the results was read');
  }
}

export class SecondHalf {
  private start: number;
  private readonly reply: Promise<FinishedResultColumns | null>;

  private constructor(
    private readonly client: WorkerClient<TailRequest, FinishedResultColumns | null>,
    request: TailRequest,
  ) {
    this.start = request.start;
    // A thread that failed has read nothing that counts: this thread reads the second half instead.
    this.reply = client.call(request).then(
      (reply) => reply,
      () => null,
    );
  }

  /** Starts reading the second half of `file` when it is large enough to be worth a thread. */
  static startIfLarge(file: string, read: FastReadOptions, minBytes = SPLIT_MIN_BYTES): SecondHalf | undefined {
    const size = statSync(file, { throwIfNoEntry: false })?.size ?? 0;
    if (size < minBytes) return undefined;
    const from = Math.floor(size / 2);
    const start = boundaryAfter(file, from);
    if (start < 0) return undefined;
    const client = new WorkerClient<TailRequest, FinishedResultColumns | null>(new URL('./results-tail-worker.js', import.meta.url), {
      name: 'the reader of the second half of the results',
    });
    return new SecondHalf(client, { file, start, read });
  }

  /** Whether a result starting at `offset` is the second half's first; passing that point without arriving at it abandons the second half. */
  reached(offset: number): boolean {
    if (offset < this.start) return false;
    if (offset === this.start) return true;
    this.abandon();
    return false;
  }

  /** Stops the other thread; its work is not used. */
  abandon(): void {
    this.start = Number.POSITIVE_INFINITY;
    void ignoreRejection(this.client.terminate(), 'the second half is not used');
  }

  /** The second half as read by the other thread (null if it gave up), and the thread stopped. */
  async take(): Promise<FinishedResultColumns | null> {
    const reply = await this.reply;
    void ignoreRejection(this.client.terminate(), 'the second half is read');
    return reply;
  }
}

/** The file offset of the first boundary between results after `from` (within BOUNDARY_WINDOW), or -1. */
function boundaryAfter(file: string, from: number): number {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return -1; // the reader names the problem, if it has one
  }
  try {
    const window = Buffer.allocUnsafe(BOUNDARY_WINDOW);
    const got = readSync(fd, window, 0, BOUNDARY_WINDOW, from);
    const at = findBoundary(window.subarray(0, got));
    return at < 0 ? -1 : from + at;
  } finally {
    closeSync(fd);
  }
}
