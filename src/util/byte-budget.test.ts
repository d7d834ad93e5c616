import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { ByteBudget } from './byte-budget.js';

test('tasks are let in by index, within the budget, and one alone when it is larger than all of it', async () => {
  const budget = new ByteBudget(100);
  const admitted: number[] = [];
  const sizes = [60, 30, 20, 250, 10];
  // Asked in another order than the indices: turns still go 0, 1, 2, ...
  const asks = [3, 1, 4, 0, 2].map((i) =>
    budget.acquire(i, sizes[i]!).then(() => {
      admitted.push(i);
      admitted.sort((a, b) => a - b);
    }),
  );
  await tick();
  assert.deepEqual(admitted, [0, 1], '0 and 1 fit (90); 2 would make 110');
  assert.equal(budget.bytesHeld, 90);
  budget.release(0);
  await tick();
  assert.deepEqual(admitted, [0, 1, 2], '2 fits now; 3 (250) waits until nothing is held');
  budget.release(1);
  budget.release(2);
  await tick();
  assert.deepEqual(admitted, [0, 1, 2, 3], 'larger than the budget: let in alone');
  assert.equal(budget.bytesHeld, 250);
  await tick();
  assert.deepEqual(admitted, [0, 1, 2, 3], '4 waits behind it');
  budget.release(3);
  await Promise.all(asks);
  assert.deepEqual(admitted, [0, 1, 2, 3, 4]);
  budget.release(4);
  assert.equal(budget.bytesHeld, 0);
});
