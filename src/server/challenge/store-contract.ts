/**
 * What every Store must do, as one suite of tests that any backend runs:
 * `storeContract('SQLite', makeStore)` from its own test file, with a factory
 * that opens an empty store (and a cleanup that closes and drops it).
 * Accounts (case-insensitive names, invites used once, revocation, token
 * rotation, sessions), the atomic reservation against limits per team,
 * the submission life cycle, and the candidates of a leaderboard.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StoreConflict, type EvaluationResult, type Store, type Task } from './types.js';
import type { LimitWindow } from './phases.js';

export interface StoreUnderTest {
  store: Store;
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
  storedPath: `/srv/uploads/${name}.json`,
});

export function storeContract(backend: string, open: () => Promise<StoreUnderTest>): void {
  describe(`Store contract: ${backend}`, () => {
    const withStore = (name: string, body: (store: Store) => Promise<void>): void => {
      test(name, async () => {
        const { store, cleanup } = await open();
        try {
          await body(store);
        } finally {
          await store.close();
          await cleanup();
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
      assert.equal(await store.claimSubmission(first), true);
      await store.failSubmission(first, 'bad file');
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

    withStore('parallel reservations never pass a limit together', async (store) => {
      const team = await Promise.all(['p1', 'p2', 'p3'].map((n) => user(store, n, 'Parallel')));
      const window: LimitWindow = { name: 'total', limit: 4, since: '' };
      const tries = await Promise.all(
        Array.from({ length: 12 }, (_, k) =>
          store.reserveSubmission({ userId: team[k % 3]!.id, phase: 'dev', task: 'retrieval', createdAt: at(k % 24) }, [window]),
        ),
      );
      assert.equal(tries.filter((t) => 'id' in t).length, 4);
      assert.equal(tries.filter((t) => 'full' in t).length, 8);
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
      assert.equal(await store.storedPath(got.id), '/srv/uploads/masks.json');
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
      assert.equal(await store.claimSubmission(id), true);
      assert.equal(await store.claimSubmission(id), false);
      assert.equal(await store.cancelSubmission(id, dan.id), false, 'running');
      await store.finishSubmission(id, result('bbox', 0.5));
      const done = (await store.submission(id))!;
      assert.deepEqual([done.status, done.attempts, done.result?.stats], ['done', 1, [0.5, 0.5, 0.5]]);
      assert.equal(await store.rerunSubmission(id), true);
      const rerun = (await store.submission(id))!;
      assert.deepEqual([rerun.status, rerun.attempts, rerun.result], ['queued', 0, null]);
      const cancelled = await submit(store, dan.id, 'bbox', at(2));
      assert.equal(await store.cancelSubmission(cancelled, dan.id), true);
      assert.equal((await store.submission(cancelled))!.status, 'cancelled');
      assert.equal(await store.claimSubmission(cancelled), false, 'a cancelled submission is never evaluated');
    });

    withStore('after a crash: reservations dropped, running ones re-queued or failed when out of attempts', async (store) => {
      const erin = await user(store, 'erin');
      const uploading = await store.reserveSubmission({ userId: erin.id, phase: 'dev', task: 'bbox', createdAt: at(1) }, []);
      const once = await submit(store, erin.id, 'bbox', at(2));
      const thrice = await submit(store, erin.id, 'bbox', at(3));
      const waiting = await submit(store, erin.id, 'bbox', at(4));
      for (let k = 0; k < 3; k++) {
        assert.equal(await store.claimSubmission(thrice), true);
        if (k < 2) await store.requeueSubmission(thrice);
      }
      assert.equal(await store.claimSubmission(once), true);
      assert.deepEqual(await store.recoverInterrupted(3), [once, waiting]);
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
        await store.claimSubmission(made[name]!);
        await store.finishSubmission(made[name]!, result('bbox', ap));
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
  });
}
