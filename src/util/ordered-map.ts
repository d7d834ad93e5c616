/**
 * Concurrent work with ordered results: at most `concurrency` calls of `work`
 * run at once, results come out in input order, and no more than
 * `concurrency` results wait for a slow consumer. Reading a split this way
 * overlaps file system latency without ever holding more than a window of it.
 */
import { ignoreRejection } from './ignore-rejection.js';

export async function* mapOrdered<T, R>(inputs: Iterable<T>, concurrency: number, work: (input: T, index: number) => Promise<R>): AsyncGenerator<R> {
  const limit = Math.max(1, Math.floor(concurrency));
  const pending = inputs[Symbol.iterator]();
  const window: Promise<R>[] = [];
  let index = 0;
  const startNext = (): boolean => {
    const next = pending.next();
    if (next.done) return false;
    const i = index++;
    const result = (async () => work(next.value, i))();
    void ignoreRejection(result, 'reported when its turn comes; until then (or if the consumer stops early) not an unhandled rejection');
    window.push(result);
    return true;
  };
  while (window.length < limit && startNext());
  while (window.length > 0) {
    const value = await window.shift()!;
    startNext();
    yield value;
  }
}
