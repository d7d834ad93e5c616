import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

/** A thread's nice value from /proc (field 19 of stat). */
const niceOf = (task: string): number => Number(readFileSync(`/proc/${task}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]);
const linux = process.platform === 'linux';

test(
  'lowers the calling thread only, and never raises a lower priority',
  { skip: linux ? undefined : 'threads have their own priority on Linux only' },
  async () => {
    const before = niceOf('thread-self');
    const url = new URL('./thread-priority.js', import.meta.url).href;
    const script = `
    const { parentPort } = require('node:worker_threads');
    const { readlinkSync } = require('node:fs');
    import(${JSON.stringify(url)}).then(({ lowerThreadPriority }) => {
      const first = lowerThreadPriority(10);
      const again = lowerThreadPriority(5);
      parentPort.postMessage({ first, again, task: readlinkSync('/proc/thread-self') });
    });`;
    const worker = new Worker(script, { eval: true });
    const result = await new Promise<{ first: boolean; again: boolean; task: string }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    try {
      assert.equal(result.first, true);
      assert.equal(result.again, true);
      assert.equal(niceOf(result.task), 10, 'the worker thread runs at niceness 10 (5 asked later did not raise it)');
      assert.equal(niceOf('thread-self'), before, 'the main thread keeps its priority');
    } finally {
      await worker.terminate();
    }
  },
);
