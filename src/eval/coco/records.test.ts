import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecordWriter, recordOf } from './records.js';
import { f64 } from './columns.js';

const records = (store: ReturnType<RecordWriter<Uint32Array>['finish']>): number[][] =>
  Array.from({ length: store.block.length }, (_, i) => [...recordOf(store, i)]);

test('records written in place, a declined one leaving nothing, across blocks', () => {
  const writer = new RecordWriter<Uint32Array>(Uint32Array, 4, 4);
  writer.append([1, 2, 3], 0, 3);
  assert.equal(
    writer.appendUpTo(3, (target, at) => {
      target[at] = 9;
      return -1;
    }),
    false,
  );
  assert.equal(
    writer.appendUpTo(5, (target, at) => {
      target.set([4, 5], at);
      return 2;
    }),
    true,
  );
  writer.append(Uint32Array.from([7, 8, 9]), 1, 2);
  assert.deepEqual(records(writer.finish()), [
    [1, 2, 3],
    [4, 5],
    [8, 9],
  ]);
});

test("another writer's records are appended without a copy, and later appends go on after them", () => {
  const theirs = new RecordWriter<Uint32Array>(Uint32Array, 4, 4);
  theirs.append([10, 11], 0, 2);
  theirs.append([], 0, 0);
  theirs.append([12, 13, 14], 0, 3);
  const part = theirs.finish();
  const writer = new RecordWriter<Uint32Array>(Uint32Array, 4, 4);
  writer.append([1], 0, 1);
  writer.appendRecords(part);
  writer.append([2, 3], 0, 2);
  const store = writer.finish();
  assert.deepEqual(records(store), [[1], [10, 11], [], [12, 13, 14], [2, 3]]);
  assert.equal(recordOf(store, 3).buffer, recordOf(part, 2).buffer, 'the same memory, not a copy');
  // The block the writer was filling was closed at its used length: nothing of it is left unused.
  assert.equal(store.blocks[0]!.length, 1);
});

test('the first block is small, the second of blockSize elements, then blocks double', () => {
  const writer = new RecordWriter<Float64Array>(Float64Array, 1 << 16);
  for (let i = 0; i < 20; i++) writer.append(new Float64Array(4096), 0, 4096);
  // 64 KB (8192 doubles: two records), then 65,536 doubles (16 records), then the rest in a block of twice that.
  assert.deepEqual(
    writer.finish().blocks.map((b) => b.buffer.byteLength),
    [64 << 10, 8 << 16, 16 << 16],
  );
});

test('records of no values from storage with no block', () => {
  const none = new RecordWriter<Uint32Array>(Uint32Array, 4).finish();
  assert.equal(none.blocks.length, 0);
  const empty = new RecordWriter<Uint32Array>(Uint32Array, 4, 4);
  empty.appendRecords(none);
  assert.deepEqual(records(empty.finish()), []);
  const writer = new RecordWriter<Uint32Array>(Uint32Array, 4, 4);
  writer.appendRecords({ blocks: [], block: Int32Array.of(0, 0), offset: Int32Array.of(0, 0), length: Int32Array.of(0, 0) });
  writer.append([5], 0, 1);
  assert.deepEqual(records(writer.finish()), [[], [], [5]]);
});

test('a reserved column takes its values with no further allocation, and keeps those pushed before', () => {
  const column = f64();
  for (let i = 0; i < 3; i++) column.push(i);
  column.reserve(100);
  for (let i = 3; i < 100; i++) column.push(i);
  const values = column.finish();
  assert.deepEqual(
    Array.from(values),
    Array.from({ length: 100 }, (_, i) => i),
  );
  // One buffer of the reserved size: no doubling past it.
  assert.equal(values.buffer.byteLength, 100 * 8);
  column.reserve(10); // less than it holds: nothing changes
  assert.equal(column.finish().buffer, values.buffer);
});
