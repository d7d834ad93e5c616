/**
 * The Store and UploadStore contract, one suite run against each backend
 * (SQLite file, PostgreSQL database): what the routes and the workers rely
 * on, including the claims that make a result recorded once.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../../testing/paths.js';
import { openChallengeBackend, type ChallengeBackend } from '../backend.js';
import { TEST_BACKENDS } from '../test-backends.js';
import { DuplicateUserError, type EvaluationResult, type NewSubmission, type Store } from './types.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const DAY = '2000-01-01T00:00:00.000Z';
const result = (ap: number): EvaluationResult => ({
  task: 'bbox', stats: [ap, 0.1 + 0.2, 1 / 3, -1, 0, 1e-17, 0.7071067811865476, 2 / 7, 1, 0, 0, 0],
  statNames: ['AP'], seconds: 0.25, perCategoryAp: [{ categoryId: 1, ap }],
});

for (const backend of TEST_BACKENDS) {
  describe(`Store contract (${backend.name})`, { skip: backend.skip }, () => {
    let db: { db: string; drop(): Promise<void> };
    let opened: ChallengeBackend[] = [];
    let store: Store;
    let userId: number;
    const open = async (): Promise<ChallengeBackend> => {
      const b = await openChallengeBackend(db.db, { evaluationSeconds: 60, applicationName: 'df2 test', cacheDir: await tempDir() });
      opened.push(b);
      return b;
    };
    let n = 0;
    const newSub = (over: Partial<NewSubmission> = {}): NewSubmission => ({
      userId, task: 'bbox', name: `s${++n}`, fileName: 'r.json', fileBytes: 2, uploadKey: `key-${n}`, ...over,
    });
    const create = async (over: Partial<NewSubmission> = {}): Promise<number> =>
      (await store.createSubmission(newSub(over), { limit: 1000, since: DAY }))!.id;

    before(async () => {
      db = await backend.create();
      store = (await open()).store;
      userId = (await store.addUser('owner', false, 'hash-owner')).id;
    });
    after(async () => {
      for (const b of opened) await b.close();
      opened = [];
      await db.drop();
    });

    test('kind names the backend', () => assert.equal(store.kind, backend.name));

    test('users: added, found by name and token hash, listed; a taken name is a DuplicateUserError', async () => {
      const alice = await store.addUser('alice', true, 'hash-alice');
      assert.equal(alice.name, 'alice');
      assert.equal(alice.admin, true);
      assert.match(alice.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.deepEqual(await store.userByName('alice'), alice);
      assert.deepEqual(await store.userByTokenHash('hash-alice'), alice);
      assert.equal(await store.userByTokenHash('nope'), undefined);
      assert.deepEqual((await store.listUsers()).map((u) => u.name), ['owner', 'alice']);
      await assert.rejects(store.addUser('alice', false, 'other-hash'), DuplicateUserError);
    });

    test('a submission is recorded queued with what was given', async () => {
      const sub = (await store.createSubmission(newSub({ task: 'segm', name: 'masks', fileName: 'segm.json', fileBytes: 3_000_000_000 }), { limit: 5, since: DAY }))!;
      assert.equal(sub.status, 'queued');
      assert.equal(sub.attempts, 0);
      assert.equal(sub.userName, 'owner');
      assert.deepEqual([sub.task, sub.name, sub.fileName, sub.fileBytes], ['segm', 'masks', 'segm.json', 3_000_000_000]);
      assert.deepEqual(await store.submission(sub.id), sub);
      assert.equal(await store.uploadKey(sub.id), `key-${n}`);
      assert.equal((await store.listSubmissions({ userId, limit: 1 }))[0]!.id, sub.id);
      assert.equal(await store.submission(999_999), undefined);
    });

    test('the quota holds under concurrent uploads from two connections (two server processes)', async () => {
      const other = (await open()).store;
      const user = (await store.addUser('racer', false, 'hash-racer')).id;
      // Connections opened beforehand (a pool opens them lazily, one at a time), so that the uploads below really overlap.
      await Promise.all(Array.from({ length: 16 }, (_, k) => (k % 2 === 0 ? store : other).countSubmissionsSince(user, 'keypoints', DAY)));
      const tries = Array.from({ length: 16 }, (_, k) => (k % 2 === 0 ? store : other).createSubmission(
        newSub({ userId: user, task: 'keypoints' }), { limit: 3, since: DAY },
      ));
      const created = (await Promise.all(tries)).filter((s) => s !== undefined);
      assert.equal(created.length, 3);
      assert.equal(await store.countSubmissionsSince(user, 'keypoints', DAY), 3);
      assert.equal(await store.countSubmissionsSince(user, 'bbox', DAY), 0);
      assert.equal(await store.countSubmissionsSince(user, 'keypoints', '2999-01-01T00:00:00.000Z'), 0);
    });

    test('a claim is the attempt number; only the attempt holding it records; figures come back exactly', async () => {
      const id = await create();
      assert.equal(await store.claimSubmission(id, 'w1'), 1);
      assert.equal(await store.claimSubmission(id, 'w2'), undefined, 'a running submission cannot be claimed again');
      assert.equal(await store.finishSubmission(id, 2, result(0.5)), false, 'not the claim');
      assert.equal((await store.submission(id))!.status, 'running');
      assert.equal(await store.finishSubmission(id, 1, result(0.5)), true);
      const done = (await store.submission(id))!;
      assert.equal(done.status, 'done');
      assert.deepEqual(done.result, result(0.5));
      assert.ok(done.startedAt && done.finishedAt);
      assert.equal(await store.finishSubmission(id, 1, result(0.9)), false, 'finished once');
      assert.equal(await store.failSubmission(id, 1, 'late'), false);
      assert.equal(await store.requeueSubmission(id, 1), false);
      assert.deepEqual((await store.submission(id))!.result, result(0.5));
    });

    test('fail and requeue are conditional on the claim too', async () => {
      const id = await create();
      const attempt = (await store.claimSubmission(id, 'w1'))!;
      assert.equal(await store.requeueSubmission(id, attempt + 1), false);
      assert.equal(await store.requeueSubmission(id, attempt), true);
      assert.equal((await store.submission(id))!.status, 'queued');
      const second = (await store.claimSubmission(id, 'w1'))!;
      assert.equal(second, 2);
      assert.equal(await store.failSubmission(id, 1, 'stale attempt'), false);
      assert.equal(await store.failSubmission(id, 2, 'bad file'), true);
      const failed = (await store.submission(id))!;
      assert.deepEqual([failed.status, failed.error, failed.attempts], ['failed', 'bad file', 2]);
    });

    test('a claim without heartbeats is taken back after the lease; with heartbeats it is kept', async () => {
      const lost = await create();
      const kept = await create();
      const lostAttempt = (await store.claimSubmission(lost, 'dead-worker'))!;
      const keptAttempt = (await store.claimSubmission(kept, 'live-worker'))!;
      const live = { id: 'live-worker', host: 'h', pid: 1 };
      await store.heartbeat(live, [{ id: kept, attempt: keptAttempt }]);
      assert.ok(!(await store.recoverInterrupted(3, 60)).includes(lost), 'within the lease: kept');
      for (let k = 0; k < 3; k++) {
        await sleep(500);
        await store.heartbeat(live, [{ id: kept, attempt: keptAttempt }]);
      }
      const queued = await store.recoverInterrupted(3, 1);
      assert.ok(queued.includes(lost));
      assert.ok(!queued.includes(kept));
      assert.equal((await store.submission(kept))!.status, 'running');
      // The dead worker comes back: its attempt no longer holds the claim.
      assert.equal(await store.finishSubmission(lost, lostAttempt, result(0.1)), false);
      const retry = (await store.claimSubmission(lost, 'live-worker'))!;
      assert.equal(retry, lostAttempt + 1);
      assert.equal(await store.finishSubmission(lost, retry, result(0.2)), true);
      assert.equal(await store.finishSubmission(kept, keptAttempt, result(0.3)), true);
    });

    test('out of attempts, an interrupted submission fails; lease 0 takes back every running one', async () => {
      const id = await create();
      for (let k = 1; k <= 3; k++) {
        assert.equal(await store.claimSubmission(id, 'w'), k);
        await store.recoverInterrupted(3, 0);
      }
      const sub = (await store.submission(id))!;
      assert.equal(sub.status, 'failed');
      assert.match(sub.error!, /interrupted 3 times/);
    });

    test('the report is kept for the attempt that finished, and only for it', async () => {
      const id = await create();
      const attempt = (await store.claimSubmission(id, 'w'))!;
      assert.equal(await store.saveReport(id, attempt, '<html>early</html>'), false, 'not finished yet');
      await store.finishSubmission(id, attempt, result(0.4));
      assert.equal(await store.saveReport(id, attempt + 1, '<html>other</html>'), false);
      assert.equal(await store.saveReport(id, attempt, '<html>é 0.4</html>'), true);
      assert.equal(await store.report(id), '<html>é 0.4</html>');
      assert.equal(await store.report(999_999), undefined);
    });

    test('heartbeats list live workers; a removed or silent worker is not listed; queue counts', async () => {
      await store.heartbeat({ id: 'wa', host: 'alpha', pid: 11 }, []);
      await store.heartbeat({ id: 'wb', host: 'beta', pid: 12 }, []);
      let seen = await store.workersSeen(60);
      assert.deepEqual(seen.filter((w) => w.id === 'wa' || w.id === 'wb').map((w) => [w.id, w.host, w.pid, w.running]), [['wa', 'alpha', 11, 0], ['wb', 'beta', 12, 0]]);
      await store.removeWorker('wa');
      await sleep(1100);
      await store.heartbeat({ id: 'wb', host: 'beta', pid: 12 }, []);
      seen = await store.workersSeen(1);
      assert.deepEqual(seen.map((w) => w.id), ['wb']);

      const before = await store.queueCounts();
      const a = await create();
      await create();
      await store.claimSubmission(a, 'wb');
      assert.deepEqual(await store.queueCounts(), { queued: before.queued + 1, running: before.running + 1 });
    });

    test('the leaderboard ranks done submissions of the task by the primary figure', async () => {
      const user = (await store.addUser('ranker', false, 'hash-ranker')).id;
      const ids: number[] = [];
      for (const ap of [0.2, 0.6, 0.4]) {
        const id = await create({ userId: user, task: 'bbox' });
        const attempt = (await store.claimSubmission(id, 'w'))!;
        await store.finishSubmission(id, attempt, result(ap));
        ids.push(id);
      }
      const board = (await store.leaderboard('bbox')).filter((e) => e.userName === 'ranker');
      assert.deepEqual(board.map((e) => e.submissionId), [ids[1], ids[2], ids[0]]);
      assert.deepEqual(board[0]!.result, result(0.6));
    });

    test('uploads: stored, read back byte for byte (several chunks), removed', async () => {
      const { uploads } = opened[0]!;
      const dir = await tempDir();
      const file = join(dir, 'upload.json');
      const bytes = randomBytes(2.5 * 1024 * 1024);
      await writeFile(file, bytes);
      const key = await uploads.put(file);
      const local = await uploads.open(key);
      assert.deepEqual(await readFile(local.path), bytes);
      await local.release();
      if (backend.name === 'postgres') {
        assert.ok(!existsSync(file), 'the received file is gone once it is in the database');
        assert.ok(!existsSync(local.path), 'the local copy is deleted on release');
      }
      await uploads.remove(key);
      await assert.rejects(async () => {
        const gone = await uploads.open(key);
        await readFile(gone.path);
      });
    });
  });
}
