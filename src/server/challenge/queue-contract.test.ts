/**
 * The JobQueue contract, one suite run against each backend: the in-process
 * queue (SQLite setup) and pg-boss (PostgreSQL), including two queues on one
 * database as two worker processes would have them.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir } from '../../testing/paths.js';
import { openChallengeBackend, type ChallengeBackend } from '../backend.js';
import { TEST_BACKENDS } from '../test-backends.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const backend of TEST_BACKENDS) {
  describe(`JobQueue contract (${backend.name})`, { skip: backend.skip }, () => {
    let db: { db: string; drop(): Promise<void> };
    const opened: ChallengeBackend[] = [];
    const open = async (): Promise<ChallengeBackend> => {
      // An SQLite file belongs to one process (it is locked): each in-process queue gets its own; PostgreSQL's are shared.
      const target = backend.name === 'sqlite' ? (await backend.create()).db : db.db;
      const b = await openChallengeBackend(target, { evaluationSeconds: 60, applicationName: 'df2 test', cacheDir: await tempDir() });
      opened.push(b);
      return b;
    };
    before(async () => {
      db = await backend.create();
    });
    after(async () => {
      for (const b of opened) await b.close();
      await db.drop();
    });

    test('every job is handled once, at most `concurrency` at a time; asking twice while it waits makes one job', async () => {
      const { queue } = await open();
      const ids = [101, 102, 103, 104, 105, 106];
      for (const id of ids.slice(0, 3)) await queue.enqueue(id);
      await queue.enqueueMany([...ids.slice(3), 101]);
      await queue.enqueue(103);
      const handled: number[] = [];
      let now = 0;
      let most = 0;
      await queue.start(async (id) => {
        now++;
        most = Math.max(most, now);
        await sleep(150);
        handled.push(id);
        now--;
      }, 2);
      await queue.idle();
      assert.deepEqual([...handled].sort(), ids);
      assert.ok(most <= 2, `at most 2 at once (${most})`);
      await queue.stop();
    });

    test('stop waits for the running job, then takes no more', async () => {
      const { queue } = await open();
      let finished = 0;
      let started = 0;
      await queue.start(async () => {
        started++;
        await sleep(400);
        finished++;
      }, 1);
      await queue.enqueue(201);
      while (started === 0) await sleep(20);
      await queue.enqueue(202);
      await queue.stop();
      assert.equal(finished, started, 'the running job was not cut off');
      await sleep(300);
      assert.equal(started, 1, 'nothing taken after stop');
    });

    if (backend.name === 'postgres') {
      test('two worker processes share the jobs: each handled by exactly one', async () => {
        const [a, b, sender] = [await open(), await open(), await open()];
        const seen = new Map<number, string[]>();
        const handler =
          (who: string) =>
          async (id: number): Promise<void> => {
            seen.set(id, [...(seen.get(id) ?? []), who]);
            await sleep(50);
          };
        await a.queue.start(handler('a'), 2);
        await b.queue.start(handler('b'), 2);
        const ids = Array.from({ length: 20 }, (_, k) => 300 + k);
        for (const id of ids) await sender.queue.enqueue(id);
        await sender.queue.idle();
        // 202, sent before the last test's queue stopped, waited in the database for these workers.
        assert.deepEqual([...seen.keys()].sort(), [202, ...ids]);
        for (const [id, who] of seen) assert.equal(who.length, 1, `job ${id} handled by ${who.join(', ')}`);
        const workers = new Set([...seen.values()].flat());
        assert.ok(workers.size === 2, 'both took jobs');
      });
    }
  });
}
