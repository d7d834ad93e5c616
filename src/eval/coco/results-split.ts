/**
 * Reading a large results file on two threads: this thread reads from the
 * start, another reads the second half (results-tail.ts) from a boundary
 * between results that it guesses (findBoundary) halfway through what this
 * thread has left when the other is ready to read: a thread's start-up
 * takes 0.1-0.4 s on two busy cores, and a fixed middle made this thread
 * wait that long for the other at the end. The other thread reports where it
 * begins; this thread stops when it arrives at exactly that boundary and
 * appends what the other read. If it passes the boundary without arriving at
 * it (the guess was inside a value, or came after this thread was past it),
 * or the other thread gave up, this thread reads on by itself from where it is.
 */
import { ignoreRejection } from '../../util/ignore-rejection.js';
import { type HelperThread, readTailOn, releaseHelperThread, takeHelperThread } from './helper-thread.js';
import { sharedArray } from './columns.js';
import type { FastReadOptions, FinishedResultColumns } from './results-fast.js';
import { type TailRequest, boundaryAfter } from './results-tail.js';

/** Below this size one thread reads the file (a second one costs more to start than it saves). */
const SPLIT_MIN_BYTES = 64 << 20;

/** Where the second half begins: halfway through what this thread has left when the other is ready (`rest`), or at the file's middle. */
export type SplitPoint = 'rest' | 'middle';

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
  /** File offset of the second half's first result; Infinity until the other thread says it. */
  private start = Number.POSITIVE_INFINITY;
  private abandoned = false;
  /** Whether the other thread has replied (it is then idle). */
  private replied = false;
  private readonly reply: Promise<FinishedResultColumns | null>;

  private constructor(
    private readonly client: HelperThread,
    request: TailRequest,
    /** This thread's position, for the other to split what is left (split 'rest'). */
    private readonly progressKib: Int32Array | null,
  ) {
    if (typeof request.start === 'number') this.start = request.start;
    // A thread that failed has read nothing that counts: this thread reads the second half instead.
    this.reply = readTailOn(client, request, (start) => {
      if (!this.abandoned) this.start = start;
    }).then(
      (reply) => {
        this.replied = true;
        return reply;
      },
      () => null,
    );
  }

  /** Starts reading the second half of `file` (of `size` bytes) when it is large enough to be worth a thread. */
  static startIfLarge(file: string, size: number, read: FastReadOptions, minBytes = SPLIT_MIN_BYTES, split: SplitPoint = 'rest'): SecondHalf | undefined {
    if (size < minBytes) return undefined;
    // The thread that evaluates next, when one was started (it is not busy before then); it is given back after the read.
    if (split === 'rest') {
      const progressKib = sharedArray(Int32Array, 1);
      return new SecondHalf(takeHelperThread(), { file, start: { progressKib }, size, read }, progressKib);
    }
    const start = boundaryAfter(file, Math.floor(size / 2));
    return start < 0 ? undefined : new SecondHalf(takeHelperThread(), { file, start, size, read }, null);
  }

  /** Whether a result starting at `offset` is the second half's first; passing that point without arriving at it abandons the second half. */
  reached(offset: number): boolean {
    if (this.abandoned) return false;
    if (this.progressKib && this.start === Number.POSITIVE_INFINITY) Atomics.store(this.progressKib, 0, Math.floor(offset / 1024));
    if (offset < this.start) return false;
    if (offset === this.start) return true;
    this.abandon();
    return false;
  }

  /** Stops the other thread (or gives it back when it is idle already); its work is not used. */
  abandon(): void {
    if (this.abandoned) return;
    this.abandoned = true;
    if (this.replied) releaseHelperThread(this.client);
    else void ignoreRejection(this.client.terminate(), 'the second half is not used');
  }

  /** The second half as read by the other thread (null if it gave up); the thread is given back for the evaluation. */
  async take(): Promise<FinishedResultColumns | null> {
    const reply = await this.reply;
    releaseHelperThread(this.client);
    return reply;
  }
}
