/**
 * The worker-thread utility against a real worker (testing/call-worker.ts):
 * replies, errors thrown as their class, a thread that exits or crashes in
 * the middle of calls, back-pressure, events, transfers, and pools.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { tempDir } from '../testing/paths.js';
import type { CallWorkerReply, CallWorkerRequest } from '../testing/call-worker.js';
import { InputError, UsageError } from './errors.js';
import { WorkerClient, WorkerPool } from './worker-client.js';
import { deserializeError, serializeError } from './worker-messages.js';

const URL_ = new URL('../testing/call-worker.js', import.meta.url);
type Client = WorkerClient<CallWorkerRequest, CallWorkerReply, number>;
const client = (maxInFlight?: number): Client => new WorkerClient(URL_, { name: 'the test thread', maxInFlight });

test('a call gets its reply; calls keep working after one fails', async () => {
  const c = client();
  assert.deepEqual(await c.call({ kind: 'echo', value: { a: [1, 2] } }), { a: [1, 2] });
  await assert.rejects(c.call({ kind: 'range-error' }));
  assert.equal(await c.call({ kind: 'echo', value: 7 }), 7);
  await c.terminate();
});

test('a worker that throws: an InputError and a UsageError come back as their class with the same line, others by class, message and stack', async () => {
  const c = client();
  const input = await c.call({ kind: 'input-error' }).then(
    () => assert.fail('resolved'),
    (err: unknown) => err,
  );
  assert.ok(input instanceof InputError && !(input instanceof UsageError));
  assert.equal(input.message, 'results.json: [3].bbox: expected 4 finite numbers, found an array of 3');
  assert.equal(input.found, 'an array of 3');
  const usage = await c.call({ kind: 'usage-error' }).catch((err: unknown) => err);
  assert.ok(usage instanceof UsageError);
  assert.equal(usage.message, 'eval: --iou-type: expected bbox, segm or keypoints, found "box"');
  const range = await c.call({ kind: 'range-error' }).catch((err: unknown) => err);
  assert.ok(range instanceof RangeError);
  assert.equal(range.message, 'unknown attribute colour');
  assert.match(range.stack ?? '', /call-worker/);
  await c.terminate();
});

test('errors cross threads by structured clone: an InputError as one, anything else by message and stack', () => {
  const original = new InputError('gt.json', 'annotations[3].bbox', '4 finite numbers', 'an array of 3');
  const back = deserializeError(structuredClone(serializeError(original)));
  assert.ok(back instanceof InputError);
  assert.equal(back.message, original.message);
  assert.equal(back.found, 'an array of 3');
  const other = new Error('disk on fire');
  other.name = 'DiskError';
  const otherBack = deserializeError(structuredClone(serializeError(other)));
  assert.ok(!(otherBack instanceof InputError));
  assert.deepEqual([otherBack.name, otherBack.message, otherBack.stack], ['DiskError', 'disk on fire', other.stack]);
  assert.equal(deserializeError(serializeError('a thrown string')).message, 'a thrown string');
});

test('a worker that exits mid-call: every call out fails with the exit code, and so does every later call', async () => {
  const c = client();
  const out = [c.call({ kind: 'exit', code: 3, afterMs: 30 }), c.call({ kind: 'echo', value: 1 }), c.call({ kind: 'hang' })];
  assert.equal(c.inFlight, 3);
  for (const p of out) await assert.rejects(p, /the test thread stopped \(exit code 3\)/);
  assert.match(c.failed?.message ?? '', /exit code 3/);
  await assert.rejects(c.call({ kind: 'echo', value: 2 }), /exit code 3/);
  await c.terminate();
});

test('a worker that crashes of an uncaught error mid-call: the calls out fail with that error', async () => {
  const c = client();
  const out = [c.call({ kind: 'crash' }), c.call({ kind: 'echo', value: 1 })];
  for (const p of out) await assert.rejects(p, /the thread fell over/);
  await c.terminate();
});

test('terminate fails the calls out with its reason', async () => {
  const c = client();
  const hanging = assert.rejects(c.call({ kind: 'hang' }), { message: 'interrupted' });
  await c.terminate(new Error('interrupted'));
  await hanging;
});

test('back-pressure: at most maxInFlight calls reach the worker; the others wait and are sent in order', async () => {
  const c = client(2);
  const calls = Array.from({ length: 8 }, () => c.call({ kind: 'wait', ms: 15 }));
  assert.equal(c.inFlight, 2);
  assert.equal(c.hasRoom, false);
  const seen = (await Promise.all(calls)) as number[];
  assert.ok(Math.max(...seen) <= 2, `the worker had ${Math.max(...seen)} calls waiting`);
  assert.equal(c.inFlight, 0);
  // Without the bound, the worker has more of them waiting at once.
  const free = client();
  const unbounded = (await Promise.all(Array.from({ length: 8 }, () => free.call({ kind: 'wait', ms: 15 })))) as number[];
  assert.ok(Math.max(...unbounded) > 2);
  await Promise.all([c.terminate(), free.terminate()]);
});

test('events arrive in order before the reply; typed arrays are moved both ways', async () => {
  const c = client();
  const events: number[] = [];
  assert.equal(await c.call({ kind: 'events', count: 5 }, { onEvent: (e) => events.push(e) }), 'done');
  assert.deepEqual(events, [1, 2, 3, 4, 5]);
  const values = new Float64Array([1, 2, 3.5]);
  const reply = (await c.call({ kind: 'sum', values }, { transfer: [values.buffer] })) as { sum: number; doubled: Float64Array };
  assert.equal(values.byteLength, 0, 'the request buffer was moved, not copied');
  assert.equal(reply.sum, 6.5);
  assert.deepEqual([...reply.doubled], [2, 4, 7]);
  await c.terminate();
});

test('an idle thread does not keep the process alive', async () => {
  const module = new URL('./worker-client.js', import.meta.url).href;
  const script = `const { WorkerClient } = await import(${JSON.stringify(module)});
const c = new WorkerClient(new URL(${JSON.stringify(URL_.href)}), { name: 't' });
console.log(await c.call({ kind: 'echo', value: 'answered' }));`;
  // A file, not `node -e`: a worker inherits the parent's flags, and --input-type stops it loading its file.
  const file = join(await tempDir('df2-worker-client-'), 'idle.mjs');
  await writeFile(file, script);
  const { stdout } = await promisify(execFile)(process.execPath, [file], { timeout: 20_000 });
  assert.equal(stdout.trim(), 'answered');
});

test('a pool spreads calls over its threads within their bound, skips a dead thread, fails when all are dead, or replaces them', async () => {
  const pool = new WorkerPool(2, () => client(1));
  const seen = (await Promise.all(Array.from({ length: 6 }, () => pool.call({ kind: 'wait', ms: 10 })))) as number[];
  assert.deepEqual(seen, [1, 1, 1, 1, 1, 1]);
  await assert.rejects(pool.call({ kind: 'exit', code: 5 }), /exit code 5/);
  // The other thread goes on answering; once both are dead, every call fails.
  for (let k = 0; k < 3; k++) assert.equal(await pool.call({ kind: 'echo', value: k }), k);
  await assert.rejects(pool.call({ kind: 'exit', code: 4 }), /exit code 4/);
  await assert.rejects(pool.call({ kind: 'echo', value: 'late' }), /exit code [45]/);
  await pool.close();

  const healing = new WorkerPool(1, () => client(), { replaceFailed: true });
  await assert.rejects(healing.call({ kind: 'exit', code: 6 }), /exit code 6/);
  assert.equal(await healing.call({ kind: 'echo', value: 'again' }), 'again');
  await healing.close();
  assert.equal(await healing.call({ kind: 'echo', value: 'after close' }), 'after close');
  await healing.close();
});
