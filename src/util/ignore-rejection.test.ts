import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ignoreRejection } from './ignore-rejection.js';

test('ignoreRejection settles when the promise does, resolving with nothing either way, and leaves no unhandled rejection', async () => {
  let unhandled = 0;
  const count = (): void => void unhandled++;
  process.on('unhandledRejection', count);
  try {
    assert.equal(await ignoreRejection(Promise.resolve(42), 'test'), undefined);
    assert.equal(await ignoreRejection(Promise.reject(new Error('gone')), 'test'), undefined);
    let settled = false;
    let fail: (err: Error) => void = () => {};
    const later = ignoreRejection(new Promise((_, reject) => (fail = reject)), 'test').then(() => (settled = true));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(settled, false, 'waits for the promise');
    fail(new Error('late'));
    await later;
    assert.equal(settled, true);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(unhandled, 0);
  } finally {
    process.off('unhandledRejection', count);
  }
});
