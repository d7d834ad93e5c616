import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../../testing/paths.js';
import { openChallengeStore } from '../backend.js';
import { TEST_BACKENDS, type TestBackend } from '../test-backends.js';
import { FileUploads } from './file-uploads.js';
import { InProcessJobQueue } from './in-process-queue.js';
import { SubmissionService } from './service.js';
import { statNames } from './tasks.js';
import type { Phase } from './config.js';

const phase: Phase = {
  name: 'dev',
  gtDir: '/gt',
  tasks: ['bbox', 'segm'],
  end: '2027-06-15T00:00:00.000Z',
  limits: { perDay: 1 },
  leaderboard: 'public',
  scores: 'shown',
  rule: 'best',
};
const meta = { name: 'm', description: '', paperUrl: null, codeUrl: null, public: true };

/**
 * The service over each backend's store. The queue is the in-process one on both (the queue's own contract runs
 * against pg-boss in queue-contract.test.ts): what is counted here is what the service queued.
 */
async function open(backend: TestBackend) {
  const dir = await tempDir('df2-service-');
  const database = await backend.create();
  const opened = await openChallengeStore(database.db);
  const { store } = opened;
  const queue = new InProcessJobQueue();
  const service = new SubmissionService({ store, uploads: new FileUploads(), queue });
  const user = await store.addUser({ name: 'u', admin: true, tokenHash: 'h' });
  const received = async (name: string) => {
    const path = join(dir, name);
    await writeFile(path, '[]');
    return { path, fileName: name, bytes: 2 };
  };
  const close = async (): Promise<void> => {
    await opened.close();
    await database.drop();
    await rm(dir, { recursive: true, force: true });
    if (backend.name === 'sqlite') await rm(join(database.db, '..'), { recursive: true, force: true });
  };
  return { dir, store, queue, service, user, received, close };
}

for (const backend of TEST_BACKENDS)
  describe(`SubmissionService (${backend.name})`, { skip: backend.skip }, () => {
    test('reserve refuses with the line and status the API answers: task, closed phase, full limit', async () => {
      const { service, user, close } = await open(backend);
      try {
        const at = new Date('2027-06-01T10:00:00.000Z');
        assert.deepEqual(await service.reserve(user.id, phase, 'retrieval', at), {
          refused: { status: 400, message: 'task: phase dev has bbox, segm, not retrieval' },
        });
        assert.equal(((await service.reserve(user.id, phase, 'nope', at)) as { refused: { status: number } }).refused.status, 400);
        assert.deepEqual(await service.reserve(user.id, phase, 'bbox', new Date('2027-06-15T00:00:00.001Z')), {
          refused: { status: 403, message: 'phase dev closed at 2027-06-15T00:00:00.000Z' },
        });
        // At the very instant the phase ends it is still open (both ends included).
        assert.ok('id' in (await service.reserve(user.id, phase, 'bbox', new Date(phase.end!))));
        const full = await service.reserve(user.id, phase, 'bbox', new Date(phase.end!));
        assert.equal('refused' in full && full.refused.status, 429);
        assert.ok('id' in (await service.reserve(user.id, phase, 'bbox', at, { limits: false })), 'a baseline is counted by no limit');
      } finally {
        await close();
      }
    });

    test('complete keeps, records and queues; a dropped reservation leaves neither file nor row', async () => {
      const { store, queue, service, user, received, close } = await open(backend);
      try {
        const at = new Date('2027-06-01T10:00:00.000Z');
        const first = await service.reserve(user.id, phase, 'bbox', at);
        assert.ok('id' in first);
        const file = await received('a.json');
        assert.deepEqual(await service.complete(first.id, file, meta), { id: first.id });
        assert.equal((await store.submission(first.id))!.status, 'queued');
        assert.equal(queue.depth, 1);

        const second = await service.reserve(user.id, phase, 'segm', at);
        assert.ok('id' in second);
        await store.recoverInterrupted(3, 0, 0); // the reservation runs out while the file arrives
        const late = await received('b.json');
        assert.deepEqual(await service.complete(second.id, late, meta), {
          refused: { status: 409, message: 'the submission was dropped while it was uploaded (its reservation ran out or the server restarted)' },
        });
        assert.ok(!existsSync(late.path), 'the received file is removed');
        assert.equal(queue.depth, 1, 'nothing more was queued');
      } finally {
        await close();
      }
    });

    test('a baseline: copied (never moved), marked, queued; cancel by the owner only; re-run only once evaluated', async () => {
      const { dir, store, queue, service, user, received, close } = await open(backend);
      try {
        const source = await received('baseline.json');
        const uploadsDir = join(dir, 'uploads');
        await mkdir(uploadsDir);
        const got = await service.submitBaseline(user.id, phase, 'segm', source.path, uploadsDir, meta, new Date('2027-06-01T10:00:00.000Z'));
        assert.ok('id' in got);
        const sub = (await store.submission(got.id))!;
        assert.deepEqual([sub.baseline, sub.status, sub.fileName], [true, 'queued', 'baseline.json']);
        assert.ok(existsSync(source.path), 'the source file stays');
        assert.equal((await readdir(uploadsDir)).length, 1);
        assert.equal(queue.depth, 1);
        assert.deepEqual(await service.cancel(sub, user.id + 1), { status: 403, message: 'only its owner cancels a submission' });
        assert.deepEqual(await service.rerun(sub.id), { status: 409, message: 'only a done or failed submission can be re-run; this one is queued' });
        assert.deepEqual(await service.rerun(999), { status: 404, message: 'no such submission' });
        assert.equal(await service.cancel(sub, user.id), undefined);
        assert.equal((await store.submission(sub.id))!.status, 'cancelled');
      } finally {
        await close();
      }
    });

    test('edit: the owner changes its words, admins the marks (hide, reveal, baseline), each refusal the line the API answers', async () => {
      const { store, service, user: admin, received, close } = await open(backend);
      try {
        const owner = await store.addUser({ name: 'o', admin: false, tokenHash: 'o' });
        const reserved = await service.reserve(owner.id, phase, 'bbox', new Date('2027-06-01T10:00:00.000Z'));
        assert.ok('id' in reserved);
        assert.ok('id' in (await service.complete(reserved.id, await received('o.json'), meta)));
        const sub = async () => (await store.submission(reserved.id))!;
        const first = await sub();
        assert.deepEqual(service.mayEdit(first, owner, ['hidden']), { status: 403, message: 'hidden: only admins may change it' });
        assert.deepEqual(service.mayEdit(first, owner, ['baseline']), { status: 403, message: 'baseline: only admins may change it' });
        assert.deepEqual(service.mayEdit(first, owner, ['file_name']), {
          status: 400,
          message: 'file_name: expected one of public, name, description, paper_url, code_url',
        });
        assert.deepEqual(service.mayEdit(first, admin, ['name']), { status: 403, message: 'only the owner changes the metadata' });
        assert.equal(service.mayEdit(first, admin, ['hidden', 'baseline']), undefined);
        // edit asks the same question of the patch's own fields (named as the API names them).
        assert.deepEqual(await service.edit(first, owner, { hidden: true }), { status: 403, message: 'hidden: only admins may change it' });
        assert.deepEqual(await service.edit(first, admin, { codeUrl: 'https://example.org' }), { status: 403, message: 'only the owner changes the metadata' });
        assert.deepEqual(await sub(), first, 'a refused edit changes nothing');

        assert.equal(await service.edit(first, owner, { name: 'n2', codeUrl: 'https://example.org/', public: false }), undefined);
        assert.deepEqual([(await sub()).name, (await sub()).codeUrl, (await sub()).public], ['n2', 'https://example.org/', false]);
        assert.equal(await service.edit(first, admin, { hidden: true }), undefined, 'hide');
        assert.equal((await sub()).hidden, true);
        assert.equal(await service.edit(first, admin, { hidden: false, baseline: true }), undefined, 'reveal, and mark as a baseline');
        assert.deepEqual([(await sub()).hidden, (await sub()).baseline], [false, true]);
        await service.markBaseline(first.id, false);
        assert.equal((await sub()).baseline, false);
      } finally {
        await close();
      }
    });

    test("an evaluation's outcome: recorded only under the submission's current claim; requeue, fail, report; recover queues again", async () => {
      const { store, queue, service, user, received, close } = await open(backend);
      try {
        const at = new Date('2027-06-01T10:00:00.000Z');
        // The queue's worker here only notes what it is handed (the evaluator claims through the service below).
        const handed: number[] = [];
        await queue.start(async (queued) => void handed.push(queued));
        const submitted = async (name: string): Promise<number> => {
          const reserved = await service.reserve(user.id, phase, 'bbox', at, { limits: false });
          assert.ok('id' in reserved);
          assert.ok('id' in (await service.complete(reserved.id, await received(name), meta)));
          return reserved.id;
        };
        const result = { task: 'bbox' as const, stats: statNames('bbox').map((_, k) => k / 20), statNames: statNames('bbox'), seconds: 0.5 };
        const id = await submitted('a.json');
        const claim = (await service.claim(id, 'w1'))!;
        assert.equal(claim, 1);
        // The worker's heartbeat (its leases' renewal is the store contract's case): the worker is listed with its claim.
        await service.heartbeat({ id: 'w1', host: 'h', pid: 1 }, [{ id, claim }]);
        assert.deepEqual(
          (await store.workersSeen(60)).map((w) => [w.id, w.running]),
          [['w1', 1]],
        );
        assert.equal(await service.claim(id, 'w2'), undefined, 'a running submission is claimed once');
        // Put back (a worker stopping), claimed again: the first claim records nothing any more.
        assert.equal(await service.requeue(id, claim), true);
        assert.deepEqual([(await store.submission(id))!.status, (await store.submission(id))!.attempts], ['queued', 1]);
        const second = (await service.claim(id, 'w2'))!;
        assert.equal(second, 2);
        assert.equal(await service.finish(id, claim, result), false);
        assert.equal(await service.fail(id, claim, 'late'), false);
        assert.equal(await service.requeue(id, claim), false);
        assert.equal((await store.submission(id))!.status, 'running');
        assert.equal(await service.finish(id, second, result), true);
        assert.equal(await service.saveReport(id, claim, '<p>stale</p>'), false);
        assert.equal(await service.saveReport(id, second, '<p>report</p>'), true);
        const done = (await store.submission(id))!;
        assert.deepEqual([done.status, done.result?.stats, await store.report(id)], ['done', result.stats, '<p>report</p>']);

        const bad = await submitted('b.json');
        const badClaim = (await service.claim(bad, 'w1'))!;
        assert.equal(await service.fail(bad, badClaim, 'results: expected an array'), true);
        assert.deepEqual([(await store.submission(bad))!.status, (await store.submission(bad))!.error], ['failed', 'results: expected an array']);

        // A running claim whose process went away: recover (0 s, a restart) queues it again, and the queue gets it.
        const cut = await submitted('c.json');
        assert.ok((await service.claim(cut, 'w1')) !== undefined);
        await queue.idle();
        assert.deepEqual(handed, [id, bad, cut], 'each submission was queued once by complete');
        assert.deepEqual(await service.recover(3, 0, 0), [cut]);
        assert.equal((await store.submission(cut))!.status, 'queued');
        await queue.idle();
        assert.deepEqual(handed, [id, bad, cut, cut], 'recover queued it again');
        // Out of attempts: failed, not queued.
        for (let attempt = 2; attempt <= 3; attempt++) {
          assert.equal(await service.claim(cut, 'w1'), attempt);
          await service.recover(3, 0, 0);
        }
        assert.equal((await store.submission(cut))!.status, 'failed');
        assert.deepEqual(await service.recover(3, 0, 0), []);
        await queue.stop();
      } finally {
        await close();
      }
    });
  });
