/**
 * A budget of bytes held by ordered, concurrent work (reading a split's files
 * a window at a time): task i waits for its turn and for room in the budget
 * before it loads its bytes, and gives them back when its result is taken.
 * Turns go strictly by index, so a large file cannot be overtaken by later
 * ones (each of which would take a little of the room it waits for), and a
 * task is always let in when nothing is held, so a file larger than the whole
 * budget is read alone rather than never.
 */
export class ByteBudget {
  private held = 0;
  private nextTurn = 0;
  private readonly heldBy = new Map<number, number>();
  private waiting: { index: number; bytes: number; admit: () => void }[] = [];

  constructor(readonly limit: number) {}

  /**
   * Resolves when it is task `index`'s turn and its `bytes` fit (or nothing
   * is held). Every index from 0 up must call this exactly once (with 0 if
   * it loads nothing), or later tasks wait for ever.
   *
   * @example
   * const budget = new ByteBudget(64 << 20);
   * await budget.acquire(0, size); // ... read the file, hand the result on ...
   * budget.release(0);
   */
  acquire(index: number, bytes: number): Promise<void> {
    return new Promise((admit) => {
      this.waiting.push({ index, bytes, admit });
      this.admitWaiting();
    });
  }

  /** Task `index`'s result was taken: its bytes are free again. */
  release(index: number): void {
    const bytes = this.heldBy.get(index);
    if (bytes === undefined) return;
    this.heldBy.delete(index);
    this.held -= bytes;
    this.admitWaiting();
  }

  /** Bytes held now (for tests and progress). */
  get bytesHeld(): number {
    return this.held;
  }

  private admitWaiting(): void {
    for (;;) {
      const at = this.waiting.findIndex((w) => w.index === this.nextTurn);
      if (at < 0) return;
      const next = this.waiting[at]!;
      if (this.held > 0 && this.held + next.bytes > this.limit) return;
      this.waiting.splice(at, 1);
      this.nextTurn++;
      this.held += next.bytes;
      this.heldBy.set(next.index, next.bytes);
      next.admit();
    }
  }
}
