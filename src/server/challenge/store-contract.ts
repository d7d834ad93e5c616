/**
 * What every Store (and UploadStore) must do, as one suite of tests that
 * each backend runs (store-contract.test.ts: SQLite and PostgreSQL), with a
 * factory that opens an empty store (and a cleanup that closes and drops it).
 * Accounts (case-insensitive names, invites used once, revocation, token
 * rotation, sessions), the atomic reservation against limits per team (also
 * from two connections, as two server processes), the submission life
 * cycle, the claims that make a result recorded once (attempts, leases,
 * heartbeats), reports, and the candidates of a leaderboard.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../../testing/paths.js';
import { StoreConflict, type EvaluationResult, type Store, type Task, type UploadStore } from './types.js';
import type { LimitWindow } from './phases.js';

/** How a test opens the store: `clock` stands in for the database's clock (the time the store stamps and compares). */
interface OpenOptions {
  clock?: () => Date;
}

interface StoreUnderTest {
  store: Store;
  uploads: UploadStore;
  /** A second store on the same database, on its own connections (another server process). */
  openAnother: () => Promise<Store>;
  cleanup: () => Promise<void>;
}

const DAY = '2027-03-10T00:00:00.000Z';
const at = (hour: number, day = 10): string => `2027-03-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00.000Z`;
const result = (task: Task, ap: number): EvaluationResult => ({ task, stats: [ap, ap, ap], statNames: ['AP', 'AP50', 'AP75'], seconds: 0.1 });
const upload = (name: string, extra: { public?: boolean } = {}) => ({
  name,
  description: `${name} described`,
  paperUrl: 'https://example.org/paper',
  codeUrl: null,
  public: extra.public ?? true,
  fileName: `${name}.json`,
  fileBytes: 2,
  uploadKey: `/srv/uploads/${name}.json`,
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Figures that do not survive a trip through text unless it is exact. */
const exactResult = (ap: number): EvaluationResult => ({
  task: 'bbox',
  stats: [ap, 0.1 + 0.2, 1 / 3, -1, 0, 1e-17, 0.7071067811865476, 2 / 7, 1, 0, 0, 0],
  statNames: ['AP'],
  seconds: 0.25,
  perCategoryAp: [{ category_id: 1, ap }],
});

export function storeContract(backend: 'sqlite' | 'postgres', open: (options?: OpenOptions) => Promise<StoreUnderTest>, options: { skip?: string } = {}): void {
  describe(`Store contract: ${backend}`, { skip: options.skip }, () => {
    const withBackend = (name: string, body: (opened: StoreUnderTest) => Promise<void>): void => {
      test(name, async () => {
        const opened = await open();
        try {
          await body(opened);
        } finally {
          await opened.store.close();
          await opened.cleanup();
        }
      });
    };
    const withStore = (name: string, body: (store: Store) => Promise<void>): void => withBackend(name, (opened) => body(opened.store));
    /** A store whose clock stands still at the time a test sets (`clock.at(iso)`), to stand at the exact edge of a lease or window. */
    const withClock = (name: string, body: (store: Store, clock: { at(iso: string): void }) => Promise<void>): void => {
      test(name, async () => {
        let now = new Date(DAY);
        const opened = await open({ clock: () => now });
        try {
          await body(opened.store, { at: (iso) => (now = new Date(iso)) });
        } finally {
          await opened.store.close();
          await opened.cleanup();
        }
      });
    };
    const user = (store: Store, name: string, team: string | null = null, admin = false) => store.addUser({ name, admin, team, tokenHash: `hash-of-${name}` });
    /** A reservation made complete: a queued submission. */
    const submit = async (store: Store, userId: number, task: Task, createdAt: string, name = 'm', windows: LimitWindow[] = [], phase = 'dev') => {
      const got = await store.reserveSubmission({ userId, phase, task, createdAt }, windows);
      assert.ok('id' in got, `reserved ${name}`);
      assert.equal(await store.completeSubmission(got.id, upload(name)), true);
      return got.id;
    };

    withStore('names are unique without regard to case, and found in any case', async (store) => {
      const alice = await user(store, 'Alice', 'Lab A');
      assert.deepEqual({ ...alice, createdAt: '' }, { id: alice.id, name: 'Alice', team: 'Lab A', admin: false, revokedAt: null, createdAt: '' });
      await assert.rejects(user(store, 'alice'), (err: unknown) => err instanceof StoreConflict && err.what === 'name');
      assert.equal((await store.userByName('ALICE'))?.id, alice.id);
      assert.equal((await store.listUsers()).length, 1);
    });

    withStore('an invite code signs up one account only; an unknown one none', async (store) => {
      const admin = await user(store, 'admin', null, true);
      await store.createInvite('invite-hash', admin.id, DAY);
      await assert.rejects(
        store.addUser({ name: 'nobody', admin: false, tokenHash: 't0', inviteHash: 'unknown' }),
        (err: unknown) => err instanceof StoreConflict && err.what === 'invite',
      );
      assert.equal(await store.userByName('nobody'), undefined, 'rolled back');
      await store.addUser({ name: 'first', admin: false, tokenHash: 't1', passwordHash: 'scrypt$x', inviteHash: 'invite-hash' });
      await assert.rejects(
        store.addUser({ name: 'second', admin: false, tokenHash: 't2', inviteHash: 'invite-hash' }),
        (err: unknown) => err instanceof StoreConflict && err.what === 'invite',
      );
      assert.equal(await store.userByName('second'), undefined);
      assert.equal(await store.passwordHash((await store.userByName('first'))!.id), 'scrypt$x');
    });

    withStore('a rotated token replaces the old one at once; revoking ends token and sessions; rotating reinstates', async (store) => {
      const bob = await user(store, 'bob');
      assert.equal((await store.userByTokenHash('hash-of-bob'))?.id, bob.id);
      await store.createSession('session-1', bob.id, at(12, 20));
      assert.equal((await store.userBySession('session-1', at(12)))?.id, bob.id);
      assert.equal(await store.userBySession('session-1', at(13, 20)), undefined, 'expired');
      await store.setToken(bob.id, 'new-hash');
      assert.equal(await store.userByTokenHash('hash-of-bob'), undefined);
      assert.equal((await store.userByTokenHash('new-hash'))?.id, bob.id);
      assert.equal(await store.userBySession('session-1', at(12)), undefined, 'a new token ends the sessions');
      await store.createSession('session-2', bob.id, at(12, 20));
      await store.revokeUser(bob.id, at(9));
      assert.equal(await store.userByTokenHash('new-hash'), undefined);
      assert.equal(await store.userBySession('session-2', at(12)), undefined);
      assert.equal((await store.userByName('bob'))?.revokedAt, at(9));
      await store.setToken(bob.id, 'third-hash');
      assert.equal((await store.userByTokenHash('third-hash'))?.revokedAt, null);
      await store.createSession('session-3', bob.id, at(12, 20));
      await store.deleteSession('session-3');
      assert.equal(await store.userBySession('session-3', at(12)), undefined);
    });

    withStore('limits count per team, phase and task, in each window; failed and cancelled ones do not count', async (store) => {
      const a = await user(store, 'a', 'Lab');
      const b = await user(store, 'b', 'lab');
      const solo = await user(store, 'solo');
      const perDay: LimitWindow = { name: 'per_day', limit: 2, since: DAY };
      const total: LimitWindow = { name: 'total', limit: 3, since: '' };
      const first = await submit(store, a.id, 'bbox', at(1, 9), 'yesterday', [perDay, total]);
      await submit(store, a.id, 'bbox', at(1), 'today a', [perDay, total]);
      // b is in the same team (team names match without regard to case).
      await submit(store, b.id, 'bbox', at(2), 'today b', [perDay, total]);
      assert.deepEqual(await store.reserveSubmission({ userId: b.id, phase: 'dev', task: 'bbox', createdAt: at(3) }, [perDay, total]), { full: perDay });
      assert.equal(await store.countTeamSubmissions(a.id, 'dev', 'bbox', DAY), 2);
      // Other task, other phase, other team: their own counts.
      await submit(store, a.id, 'segm', at(3), 'segm', [perDay]);
      await submit(store, a.id, 'bbox', at(3), 'test phase', [perDay], 'test');
      await submit(store, solo.id, 'bbox', at(3), 'solo', [perDay]);
      // A failed one gives its place back, a cancelled one too.
      assert.equal(await store.claimSubmission(first, 'w'), 1);
      assert.equal(await store.failSubmission(first, 1, 'bad file'), true);
      const today = (await store.listSubmissions({ userId: a.id })).find((s) => s.name === 'today a')!;
      assert.equal(await store.cancelSubmission(today.id, a.id), true);
      assert.equal(await store.countTeamSubmissions(b.id, 'dev', 'bbox', ''), 1);
      const again = await store.reserveSubmission({ userId: b.id, phase: 'dev', task: 'bbox', createdAt: at(4) }, [perDay, total]);
      assert.ok('id' in again);
      // The reservation counts from the moment it is made, before its upload is complete.
      assert.deepEqual(await store.reserveSubmission({ userId: a.id, phase: 'dev', task: 'bbox', createdAt: at(4) }, [perDay, total]), { full: perDay });
      await store.discardReservation(again.id);
      assert.ok('id' in (await store.reserveSubmission({ userId: a.id, phase: 'dev', task: 'bbox', createdAt: at(5) }, [perDay, total])));
    });

    withBackend('parallel reservations from two connections (two server processes) never pass a limit together', async ({ store, openAnother }) => {
      const other = await openAnother();
      try {
        const team = await Promise.all(['p1', 'p2', 'p3'].map((n) => user(store, n, 'Parallel')));
        const window: LimitWindow = { name: 'total', limit: 4, since: '' };
        // Connections opened beforehand (a pool opens them lazily, one at a time), so that the reservations below really overlap.
        await Promise.all(Array.from({ length: 16 }, (_, k) => (k % 2 === 0 ? store : other).countTeamSubmissions(team[0]!.id, 'dev', 'retrieval', '')));
        const tries = await Promise.all(
          Array.from({ length: 16 }, (_, k) =>
            (k % 2 === 0 ? store : other).reserveSubmission({ userId: team[k % 3]!.id, phase: 'dev', task: 'retrieval', createdAt: at(k % 24) }, [window]),
          ),
        );
        assert.equal(tries.filter((t) => 'id' in t).length, 4);
        assert.equal(tries.filter((t) => 'full' in t).length, 12);
        assert.equal(await other.countTeamSubmissions(team[2]!.id, 'dev', 'retrieval', ''), 4);
      } finally {
        await other.close();
      }
    });

    withStore('a reservation is invisible until complete; the submission carries its metadata and team', async (store) => {
      const carol = await user(store, 'carol', 'Team C');
      const got = await store.reserveSubmission({ userId: carol.id, phase: 'dev', task: 'segm', createdAt: at(8) }, []);
      assert.ok('id' in got);
      assert.equal(await store.submission(got.id), undefined);
      assert.deepEqual(await store.listSubmissions({}), []);
      await store.completeSubmission(got.id, upload('masks', { public: false }));
      const sub = (await store.submission(got.id))!;
      assert.deepEqual(
        [
          sub.status,
          sub.team,
          sub.userName,
          sub.phase,
          sub.task,
          sub.name,
          sub.description,
          sub.paperUrl,
          sub.codeUrl,
          sub.public,
          sub.createdAt,
          sub.fileName,
        ],
        ['queued', 'Team C', 'carol', 'dev', 'segm', 'masks', 'masks described', 'https://example.org/paper', null, false, at(8), 'masks.json'],
      );
      assert.equal(await store.uploadKey(got.id), '/srv/uploads/masks.json');
      assert.equal(sub.fileBytes, 2);
      await store.updateSubmission(got.id, { public: true, name: 'masks v2', codeUrl: 'https://example.org/code', baseline: true, hidden: true });
      const changed = (await store.submission(got.id))!;
      assert.deepEqual(
        [changed.public, changed.name, changed.codeUrl, changed.baseline, changed.hidden],
        [true, 'masks v2', 'https://example.org/code', true, true],
      );
    });

    withStore('life cycle: claim, finish, fail, requeue, cancel only while queued, re-run only once done or failed', async (store) => {
      const dan = await user(store, 'dan');
      const other = await user(store, 'other');
      const id = await submit(store, dan.id, 'bbox', at(1));
      assert.equal(await store.cancelSubmission(id, other.id), false, 'not the owner');
      assert.equal(await store.rerunSubmission(id), false, 'queued');
      assert.equal(await store.claimSubmission(id, 'w'), 1);
      assert.equal(await store.claimSubmission(id, 'w'), undefined);
      assert.equal(await store.cancelSubmission(id, dan.id), false, 'running');
      assert.equal(await store.finishSubmission(id, 1, result('bbox', 0.5)), true);
      assert.equal(await store.saveReport(id, 1, '<html>run 1</html>'), true);
      const done = (await store.submission(id))!;
      assert.deepEqual([done.status, done.attempts, done.result?.stats], ['done', 1, [0.5, 0.5, 0.5]]);
      assert.equal(await store.rerunSubmission(id), true);
      const rerun = (await store.submission(id))!;
      assert.deepEqual([rerun.status, rerun.attempts, rerun.result], ['queued', 0, null]);
      assert.equal(await store.report(id), undefined, 'the re-run forgets the report');
      const cancelled = await submit(store, dan.id, 'bbox', at(2));
      assert.equal(await store.cancelSubmission(cancelled, dan.id), true);
      assert.equal((await store.submission(cancelled))!.status, 'cancelled');
      assert.equal(await store.claimSubmission(cancelled, 'w'), undefined, 'a cancelled submission is never evaluated');
    });

    withStore('resample figures: kept exactly with the figures, read for the ids asked, forgotten by a re-run', async (store) => {
      const owner = await user(store, 'owner');
      // Doubles that text rounding would change, -1 (undefined in a resample) and a length no slice boundary divides.
      const figures = Float64Array.from({ length: 1003 }, (_, i) => (i % 97 === 0 ? -1 : (i * Math.PI) / 3500 + 1e-17 * i));
      const withFigures = await submit(store, owner.id, 'bbox', at(1));
      const without = await submit(store, owner.id, 'bbox', at(2));
      const queued = await submit(store, owner.id, 'bbox', at(3));
      assert.deepEqual(await store.resampleFigures([withFigures, without, queued]), new Map(), 'none before an evaluation');
      assert.equal(await store.claimSubmission(withFigures, 'w'), 1);
      assert.equal(await store.finishSubmission(withFigures, 1, exactResult(0.5), figures), true);
      assert.equal(await store.claimSubmission(without, 'w'), 1);
      assert.equal(await store.finishSubmission(without, 1, exactResult(0.4)), true);
      // More ids than one statement reads: every one asked is looked up.
      const many = [...Array.from({ length: 1200 }, (_, i) => 100_000 + i), withFigures, without, queued];
      const read = await store.resampleFigures(many);
      assert.deepEqual([...read.keys()], [withFigures]);
      assert.deepEqual(read.get(withFigures), figures);
      assert.deepEqual((await store.submission(withFigures))!.result, exactResult(0.5), 'the figures stand beside them');
      assert.equal(await store.rerunSubmission(withFigures), true);
      assert.deepEqual(await store.resampleFigures([withFigures]), new Map(), 'a re-run forgets them with the figures');
      assert.equal(await store.claimSubmission(withFigures, 'w'), 2);
      const again = figures.map((v) => v / 2);
      assert.equal(await store.finishSubmission(withFigures, 2, exactResult(0.25), again), true);
      assert.deepEqual((await store.resampleFigures([withFigures])).get(withFigures), again);
    });

    withStore('after a crash: reservations dropped, running ones re-queued or failed when out of attempts', async (store) => {
      const erin = await user(store, 'erin');
      const uploading = await store.reserveSubmission({ userId: erin.id, phase: 'dev', task: 'bbox', createdAt: at(1) }, []);
      const once = await submit(store, erin.id, 'bbox', at(2));
      const thrice = await submit(store, erin.id, 'bbox', at(3));
      const waiting = await submit(store, erin.id, 'bbox', at(4));
      for (let k = 1; k <= 3; k++) {
        assert.equal(await store.claimSubmission(thrice, 'w'), k);
        if (k < 3) assert.equal(await store.requeueSubmission(thrice, k), true);
      }
      assert.equal(await store.claimSubmission(once, 'w'), 1);
      assert.deepEqual(await store.recoverInterrupted(3, 0, 0), [once, waiting]);
      assert.equal((await store.submission(thrice))!.status, 'failed');
      assert.match((await store.submission(thrice))!.error ?? '', /interrupted 3 times/);
      assert.ok('id' in uploading);
      assert.equal(await store.completeSubmission(uploading.id, upload('late')), false, 'the reservation is gone');
      assert.equal(await store.countTeamSubmissions(erin.id, 'dev', 'bbox', ''), 2);
    });

    withStore('leaderboard candidates: evaluated, not hidden; public ones (and baselines) unless all are asked for', async (store) => {
      const f = await user(store, 'f', 'Team F');
      const g = await user(store, 'g');
      const made: Record<string, number> = {};
      for (const [name, who, ap, extra] of [
        ['public', f, 0.4, {}],
        ['private', f, 0.9, { public: false }],
        ['hidden', g, 0.8, { hidden: true }],
        ['baseline', g, 0.2, { public: false, baseline: true }],
      ] as const) {
        made[name] = await submit(store, who.id, 'bbox', at(Object.keys(made).length + 1), name);
        await store.updateSubmission(made[name]!, extra);
        const attempt = (await store.claimSubmission(made[name]!, 'w'))!;
        assert.equal(await store.finishSubmission(made[name]!, attempt, result('bbox', ap)), true);
      }
      await submit(store, g.id, 'bbox', at(9), 'not evaluated yet');
      await submit(store, g.id, 'segm', at(9), 'other task');
      const names = async (publicOnly: boolean) => (await store.boardCandidates('dev', 'bbox', publicOnly)).map((c) => c.name).sort();
      assert.deepEqual(await names(true), ['baseline', 'public']);
      assert.deepEqual(await names(false), ['baseline', 'private', 'public']);
      const [pub] = (await store.boardCandidates('dev', 'bbox', true)).filter((c) => c.name === 'public');
      assert.deepEqual(
        [pub!.team, pub!.userName, pub!.baseline, pub!.result.stats[0], pub!.paperUrl],
        ['Team F', 'f', false, 0.4, 'https://example.org/paper'],
      );
      assert.deepEqual(await store.boardCandidates('test', 'bbox', false), []);
    });

    withStore('a reservation younger than reservationSeconds stays (another server is receiving it); an older one goes', async (store) => {
      const hal = await user(store, 'hal');
      const now = Date.now();
      const fresh = await store.reserveSubmission({ userId: hal.id, phase: 'dev', task: 'bbox', createdAt: new Date(now).toISOString() }, []);
      const stale = await store.reserveSubmission({ userId: hal.id, phase: 'dev', task: 'bbox', createdAt: new Date(now - 7200_000).toISOString() }, []);
      assert.ok('id' in fresh && 'id' in stale);
      await store.recoverInterrupted(3, 30, 3600);
      assert.equal(await store.completeSubmission(stale.id, upload('cut off')), false, 'the stale reservation is gone');
      assert.equal(await store.completeSubmission(fresh.id, upload('in flight')), true, 'the fresh one is kept');
      assert.equal((await store.submission(fresh.id))!.status, 'queued');
    });

    // The edges, where the two stores of old disagreed (`<` against `<=`): exact instants, on both backends.
    withStore("a day window counts from its first instant: a submission at 00:00:00.000 is the new day's, one a millisecond before is not", async (store) => {
      const ivy = await user(store, 'ivy');
      const perDay: LimitWindow = { name: 'per_day', limit: 1, since: DAY };
      await submit(store, ivy.id, 'bbox', '2027-03-09T23:59:59.999Z', 'last of the day before', [{ ...perDay, since: '2027-03-09T00:00:00.000Z' }]);
      assert.equal(await store.countTeamSubmissions(ivy.id, 'dev', 'bbox', DAY), 0, 'the day before is not counted in the new day');
      await submit(store, ivy.id, 'bbox', DAY, 'first of the day', [perDay]);
      assert.equal(await store.countTeamSubmissions(ivy.id, 'dev', 'bbox', DAY), 1, 'made at the instant the window opens: counted in it');
      assert.deepEqual(await store.reserveSubmission({ userId: ivy.id, phase: 'dev', task: 'bbox', createdAt: '2027-03-10T00:00:00.001Z' }, [perDay]), {
        full: perDay,
      });
    });

    withClock('a lease of 30 s runs out at exactly 30 s after the last heartbeat, not a millisecond before', async (store, clock) => {
      const jo = await user(store, 'jo');
      const id = await submit(store, jo.id, 'bbox', at(0));
      clock.at('2027-03-10T12:00:00.000Z');
      const first = (await store.claimSubmission(id, 'w1'))!;
      clock.at('2027-03-10T12:00:20.000Z');
      await store.heartbeat({ id: 'w1', host: 'h', pid: 1 }, [{ id, claim: first }]);
      clock.at('2027-03-10T12:00:49.999Z');
      assert.deepEqual(await store.recoverInterrupted(3, 30, 3600), [], 'one millisecond left: kept');
      assert.equal((await store.submission(id))!.status, 'running');
      clock.at('2027-03-10T12:00:50.000Z');
      assert.deepEqual(await store.recoverInterrupted(3, 30, 3600), [id], 'at the deadline: taken back');
      assert.equal(await store.finishSubmission(id, first, exactResult(0.1)), false, 'the lapsed claim no longer records');
      // Out of attempts at the deadline: failed, with the same message on both backends.
      for (let k = 2; k <= 3; k++) {
        clock.at(`2027-03-10T13:0${k}:00.000Z`);
        assert.equal(await store.claimSubmission(id, 'w1'), k);
        clock.at(`2027-03-10T13:0${k}:30.000Z`);
        await store.recoverInterrupted(3, 30, 3600);
      }
      const failed = (await store.submission(id))!;
      assert.deepEqual(
        [failed.status, failed.error, failed.finishedAt],
        ['failed', 'evaluation was interrupted 3 times (its server or worker stopped or crashed); not retried again', '2027-03-10T13:03:30.000Z'],
      );
    });

    withClock('a reservation is dropped at exactly reservationSeconds, not before; lease 0 and reservation 0 take back everything', async (store, clock) => {
      const kim = await user(store, 'kim');
      const reserved = await store.reserveSubmission({ userId: kim.id, phase: 'dev', task: 'bbox', createdAt: '2027-03-10T12:00:00.000Z' }, []);
      assert.ok('id' in reserved);
      clock.at('2027-03-10T12:59:59.999Z');
      await store.recoverInterrupted(3, 30, 3600);
      assert.equal(await store.countTeamSubmissions(kim.id, 'dev', 'bbox', ''), 1, 'one millisecond left: kept');
      clock.at('2027-03-10T13:00:00.000Z');
      await store.recoverInterrupted(3, 30, 3600);
      assert.equal(await store.countTeamSubmissions(kim.id, 'dev', 'bbox', ''), 0, 'at the deadline: dropped');
      // 0 seconds: every reservation and running claim, even one stamped this very instant.
      const fresh = await store.reserveSubmission({ userId: kim.id, phase: 'dev', task: 'bbox', createdAt: '2027-03-10T13:00:00.000Z' }, []);
      const running = await submit(store, kim.id, 'bbox', '2027-03-10T13:00:00.000Z');
      assert.equal(await store.claimSubmission(running, 'w'), 1);
      assert.deepEqual(await store.recoverInterrupted(3, 0, 0), [running]);
      assert.ok('id' in fresh);
      assert.equal(await store.completeSubmission(fresh.id, upload('cut off')), false);
    });

    withClock("a worker is seen for exactly withinSeconds after its heartbeat; times are stamped by the store's clock", async (store, clock) => {
      clock.at('2027-03-10T12:00:00.000Z');
      await store.heartbeat({ id: 'wz', host: 'zeta', pid: 7 }, []);
      clock.at('2027-03-10T12:00:10.000Z');
      assert.deepEqual(
        (await store.workersSeen(10)).map((w) => [w.id, w.startedAt, w.seenAt]),
        [['wz', '2027-03-10T12:00:00.000Z', '2027-03-10T12:00:00.000Z']],
      );
      clock.at('2027-03-10T12:00:10.001Z');
      assert.deepEqual(await store.workersSeen(10), []);
      const lee = await user(store, 'lee');
      assert.equal(lee.createdAt, '2027-03-10T12:00:10.001Z');
    });

    withStore('kind names the backend; user fields come back as given', async (store) => {
      assert.equal(store.kind, backend);
      const alice = await store.addUser({ name: 'alice', admin: true, tokenHash: 'hash-alice' });
      assert.equal(alice.admin, true);
      assert.match(alice.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.deepEqual(await store.userByName('alice'), alice);
      assert.deepEqual(await store.userByTokenHash('hash-alice'), alice);
      assert.equal(await store.userByTokenHash('nope'), undefined);
      const big = await submit(store, alice.id, 'segm', at(1), 'big');
      await store.updateSubmission(big, {});
      assert.equal((await store.submission(big))!.attempts, 0);
      assert.equal(await store.submission(999_999), undefined);
    });

    withStore('a claim is a number; only the attempt holding it records; figures come back exactly', async (store) => {
      const owner = await user(store, 'owner');
      const id = await submit(store, owner.id, 'bbox', at(1));
      assert.equal(await store.claimSubmission(id, 'w1'), 1);
      assert.equal(await store.claimSubmission(id, 'w2'), undefined, 'a running submission cannot be claimed again');
      assert.equal(await store.finishSubmission(id, 2, exactResult(0.5)), false, 'not the claim');
      assert.equal((await store.submission(id))!.status, 'running');
      assert.equal(await store.finishSubmission(id, 1, exactResult(0.5)), true);
      const done = (await store.submission(id))!;
      assert.equal(done.status, 'done');
      assert.deepEqual(done.result, exactResult(0.5));
      assert.ok(done.startedAt && done.finishedAt);
      assert.equal(await store.finishSubmission(id, 1, exactResult(0.9)), false, 'finished once');
      assert.equal(await store.failSubmission(id, 1, 'late'), false);
      assert.equal(await store.requeueSubmission(id, 1), false);
      assert.deepEqual((await store.submission(id))!.result, exactResult(0.5));
    });

    withStore('fail and requeue are conditional on the claim too', async (store) => {
      const owner = await user(store, 'owner');
      const id = await submit(store, owner.id, 'bbox', at(1));
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

    withStore('a claim without heartbeats is taken back after the lease; with heartbeats it is kept', async (store) => {
      const owner = await user(store, 'owner');
      const lost = await submit(store, owner.id, 'bbox', at(1));
      const kept = await submit(store, owner.id, 'bbox', at(2));
      const lostAttempt = (await store.claimSubmission(lost, 'dead-worker'))!;
      const keptAttempt = (await store.claimSubmission(kept, 'live-worker'))!;
      const live = { id: 'live-worker', host: 'h', pid: 1 };
      await store.heartbeat(live, [{ id: kept, claim: keptAttempt }]);
      assert.ok(!(await store.recoverInterrupted(3, 60, 3600)).includes(lost), 'within the lease: kept');
      for (let k = 0; k < 3; k++) {
        await sleep(500);
        await store.heartbeat(live, [{ id: kept, claim: keptAttempt }]);
      }
      const queued = await store.recoverInterrupted(3, 1, 3600);
      assert.ok(queued.includes(lost));
      assert.ok(!queued.includes(kept));
      assert.equal((await store.submission(kept))!.status, 'running');
      // The dead worker comes back: its attempt no longer holds the claim.
      assert.equal(await store.finishSubmission(lost, lostAttempt, exactResult(0.1)), false);
      const retry = (await store.claimSubmission(lost, 'live-worker'))!;
      assert.equal(retry, lostAttempt + 1);
      assert.equal(await store.finishSubmission(lost, retry, exactResult(0.2)), true);
      assert.equal(await store.finishSubmission(kept, keptAttempt, exactResult(0.3)), true);
    });

    withStore('a claim from before a re-run never holds again: a stale worker cannot store figures, a report or a heartbeat', async (store) => {
      const owner = await user(store, 'owner');
      const id = await submit(store, owner.id, 'bbox', at(1));
      // Worker A claims, then stops sending heartbeats (killed, frozen or cut off): its lease runs out.
      const stale = (await store.claimSubmission(id, 'worker-a'))!;
      assert.deepEqual(await store.recoverInterrupted(3, 0, 3600), [id]);
      // Worker B evaluates it; an admin re-runs it (a ground-truth fix); worker C claims it again.
      const second = (await store.claimSubmission(id, 'worker-b'))!;
      assert.equal(await store.finishSubmission(id, second, exactResult(0.2)), true);
      assert.equal(await store.rerunSubmission(id), true);
      assert.equal((await store.submission(id))!.attempts, 0, 'a re-run starts the count of attempts again');
      const third = (await store.claimSubmission(id, 'worker-c'))!;
      assert.equal((await store.submission(id))!.attempts, 1, 'the first attempt of the re-run');
      assert.ok(third > second && second > stale, `claims ${stale}, ${second}, ${third} only grow`);
      // Worker A comes back with its old claim (the one the count of attempts is at again): nothing it does holds.
      assert.equal(stale, 1);
      await store.heartbeat({ id: 'worker-a', host: 'h', pid: 1 }, [{ id, claim: stale }]);
      assert.equal(await store.finishSubmission(id, stale, exactResult(0.9)), false, 'stale figures refused');
      assert.equal(await store.saveReport(id, stale, '<html>stale</html>'), false);
      assert.equal(await store.failSubmission(id, stale, 'stale'), false);
      assert.equal(await store.requeueSubmission(id, stale), false);
      assert.equal(await store.finishSubmission(id, second, exactResult(0.9)), false, 'the claim of the run before the re-run neither');
      const running = (await store.submission(id))!;
      assert.deepEqual([running.status, running.result], ['running', null]);
      // Worker C's claim is the one that records.
      assert.equal(await store.finishSubmission(id, third, exactResult(0.3)), true);
      assert.equal(await store.saveReport(id, third, '<html>re-run</html>'), true);
      assert.deepEqual((await store.submission(id))!.result, exactResult(0.3));
      assert.equal(await store.report(id), '<html>re-run</html>');
    });

    withStore('out of attempts after a re-run too: the re-run has its own count', async (store) => {
      const owner = await user(store, 'owner');
      const id = await submit(store, owner.id, 'bbox', at(1));
      const first = (await store.claimSubmission(id, 'w'))!;
      assert.equal(await store.failSubmission(id, first, 'ground truth was wrong'), true);
      assert.equal(await store.rerunSubmission(id), true);
      for (let k = 1; k <= 3; k++) {
        assert.equal(await store.claimSubmission(id, 'w'), first + k, 'claim numbers go on');
        assert.equal((await store.submission(id))!.attempts, k);
        await store.recoverInterrupted(3, 0, 3600);
      }
      const sub = (await store.submission(id))!;
      assert.equal(sub.status, 'failed');
      assert.match(sub.error!, /interrupted 3 times/);
    });

    withStore('out of attempts, an interrupted submission fails; lease 0 takes back every running one', async (store) => {
      const owner = await user(store, 'owner');
      const id = await submit(store, owner.id, 'bbox', at(1));
      for (let k = 1; k <= 3; k++) {
        assert.equal(await store.claimSubmission(id, 'w'), k);
        await store.recoverInterrupted(3, 0, 3600);
      }
      const sub = (await store.submission(id))!;
      assert.equal(sub.status, 'failed');
      assert.match(sub.error!, /interrupted 3 times/);
    });

    withStore('the report is kept for the attempt that finished, and only for it', async (store) => {
      const owner = await user(store, 'owner');
      const id = await submit(store, owner.id, 'bbox', at(1));
      const attempt = (await store.claimSubmission(id, 'w'))!;
      assert.equal(await store.saveReport(id, attempt, '<html>early</html>'), false, 'not finished yet');
      await store.finishSubmission(id, attempt, exactResult(0.4));
      assert.equal(await store.saveReport(id, attempt + 1, '<html>other</html>'), false);
      assert.equal(await store.saveReport(id, attempt, '<html>é 0.4</html>'), true);
      assert.equal(await store.report(id), '<html>é 0.4</html>');
      assert.equal(await store.report(999_999), undefined);
    });

    withStore('heartbeats list live workers; a removed or silent worker is not listed; queue counts', async (store) => {
      await store.heartbeat({ id: 'wa', host: 'alpha', pid: 11 }, []);
      await store.heartbeat({ id: 'wb', host: 'beta', pid: 12 }, []);
      let seen = await store.workersSeen(60);
      assert.deepEqual(
        seen.map((w) => [w.id, w.host, w.pid, w.running]),
        [
          ['wa', 'alpha', 11, 0],
          ['wb', 'beta', 12, 0],
        ],
      );
      await store.removeWorker('wa');
      await sleep(1100);
      await store.heartbeat({ id: 'wb', host: 'beta', pid: 12 }, []);
      seen = await store.workersSeen(1);
      assert.deepEqual(
        seen.map((w) => w.id),
        ['wb'],
      );

      const owner = await user(store, 'owner');
      await store.reserveSubmission({ userId: owner.id, phase: 'dev', task: 'bbox', createdAt: at(1) }, []);
      const a = await submit(store, owner.id, 'bbox', at(2));
      await submit(store, owner.id, 'bbox', at(3));
      await store.claimSubmission(a, 'wb');
      assert.deepEqual(await store.queueCounts(), { queued: 1, running: 1 }, 'a reservation is neither');
    });

    withBackend('uploads: stored, read back byte for byte (several chunks), removed', async ({ uploads }) => {
      const dir = await tempDir();
      const file = join(dir, 'upload.json');
      const bytes = randomBytes(2.5 * 1024 * 1024);
      await writeFile(file, bytes);
      const key = await uploads.put(file);
      const local = await uploads.open(key);
      assert.deepEqual(await readFile(local.path), bytes);
      await local.release();
      if (backend === 'postgres') {
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
