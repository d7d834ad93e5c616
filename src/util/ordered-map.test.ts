import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { mapOrdered } from './ordered-map.js';

test('results come in input order although work finishes out of order', async () => {
  const inputs = Array.from({ length: 40 }, (_, i) => i);
  const out: number[] = [];
  // Later inputs finish first.
  for await (const r of mapOrdered(inputs, 8, async (x) => {
    await sleep((40 - x) % 7);
    return x * 10;
  }))
    out.push(r);
  assert.deepEqual(
    out,
    inputs.map((x) => x * 10),
  );
});

test('never more than `concurrency` calls in flight, and a slow consumer holds the work back', async () => {
  let inFlight = 0;
  let peak = 0;
  let started = 0;
  const work = async (x: number): Promise<number> => {
    started++;
    inFlight++;
    peak = Math.max(peak, inFlight);
    await sleep(x % 3);
    inFlight--;
    return x;
  };
  let consumed = 0;
  for await (const _ of mapOrdered(
    Array.from({ length: 60 }, (_, i) => i),
    5,
    work,
  )) {
    consumed++;
    // Give the producer every chance to run ahead while we are slow.
    await sleep(2);
    assert.ok(started - consumed <= 5, `started ${started}, consumed ${consumed}`);
  }
  assert.equal(peak, 5);
  assert.equal(consumed, 60);
});

test('a failure surfaces at its turn; stopping early leaves no unhandled rejection', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    const seen: number[] = [];
    await assert.rejects(async () => {
      for await (const r of mapOrdered([0, 1, 2, 3, 4, 5], 4, async (x) => {
        if (x === 3 || x === 4) throw new Error(`bad ${x}`);
        await sleep(5);
        return x;
      }))
        seen.push(r);
    }, /bad 3/);
    assert.deepEqual(seen, [0, 1, 2]);
    await sleep(20);
    assert.deepEqual(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});
