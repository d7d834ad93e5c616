/**
 * Leaderboard intervals through app.request(), on both backends: a phase with
 * `intervals:` shows each entry's interval and, sorted by its primary figure,
 * each team against the team above on the same resamples (the CSV and JSON
 * downloads too); paging compares a page's first row with the last of the
 * page before; figures of other resample lists are not compared; a phase
 * that hides its figures leaks no interval. Per-resample figures are
 * recorded through the Store, made so that each verdict is known.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Hono } from 'hono';
import { percentileInterval } from '../../eval/index.js';
import { createApp } from '../app.js';
import type { RunningServer } from '../server.js';
import type { Challenge, PhaseIntervals } from '../challenge/config.js';
import { statNames } from '../challenge/tasks.js';
import { addUser, goldenGtDir, requester, startTestServer, TestClock } from '../test-support.js';
import type { LeaderboardJson } from '../../shared/api-types.js';
import { TEST_BACKENDS } from '../test-backends.js';

const file = new Blob(['[]']);
const INTERVALS: PhaseIntervals = { resamples: 200, level: 0.95, seed: 3 };
const N = INTERVALS.resamples;

/** Per-resample AP of four teams: ann and ben within noise of each other, cy clearly below ben, dee clearly below cy. */
const ann = Float64Array.from({ length: N }, (_, i) => 0.6 + 0.01 * Math.sin(i));
const ben = Float64Array.from({ length: N }, (_, i) => ann[i]! - 0.002 + 0.01 * Math.cos(7 * i));
const cy = ben.map((v) => v - 0.1);
const dee = cy.map((v, i) => v - 0.05 + 0.001 * Math.sin(3 * i));

/** What the paired comparison of two teams must give, counted here directly. */
function expected(above: Float64Array, below: Float64Array): { low: number; high: number; above_beats: number; significant: boolean } {
  const diff = above.map((v, i) => v - below[i]!);
  const { low, high } = percentileInterval(diff, INTERVALS.level, true);
  const beats = diff.filter((d) => d > 0).length / diff.length;
  return { low, high, above_beats: beats, significant: !(low <= 0 && high >= 0) };
}

for (const backend of TEST_BACKENDS)
  describe(`leaderboard intervals (app.request, ${backend.name})`, { skip: backend.skip }, () => {
    let database: Awaited<ReturnType<typeof backend.create>>;
    let server: RunningServer;
    let app: Hono;
    let call: ReturnType<typeof requester>;
    const clock = new TestClock(new Date('2027-03-10T12:00:00Z'));
    const tokens: Record<string, string> = {};
    const ids: Record<string, number> = {};

    const evaluate = async (id: number, ap: number, figures: Float64Array, lists = INTERVALS): Promise<void> => {
      const attempt = (await server.ctx.store.claimSubmission(id, 'test'))!;
      const { low, high, defined } = percentileInterval(figures, lists.level);
      const stats = [ap, ap + 0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2];
      const interval = { figure: 'AP', low, high, level: lists.level, resamples: lists.resamples, defined, seed: lists.seed };
      const result = { task: 'bbox' as const, stats, statNames: statNames('bbox'), seconds: 0.1, interval };
      assert.equal(await server.ctx.store.finishSubmission(id, attempt, result, figures), true);
    };
    const submit = async (who: string, phase: string): Promise<number> => {
      const res = await call('POST', '/api/submissions', { token: tokens[who], form: { name: `${who} model`, phase, task: 'bbox', file } });
      assert.equal(res.status, 202, await res.clone().text());
      return ((await res.json()) as { id: number }).id;
    };
    const board = async (query: string, token?: string): Promise<LeaderboardJson> => {
      const res = await call('GET', `/api/leaderboard?${query}`, { token });
      assert.equal(res.status, 200, await res.clone().text());
      return (await res.json()) as LeaderboardJson;
    };

    before(async () => {
      const gt = await goldenGtDir();
      const phase = { gtDir: gt, tasks: ['bbox' as const], limits: {}, leaderboard: 'public' as const, rule: 'best' as const, intervals: INTERVALS };
      const challenge: Challenge = {
        title: 'Intervals',
        description: '',
        registration: 'closed',
        phases: [
          { ...phase, name: 'dev', scores: 'shown' },
          { ...phase, name: 'final', scores: 'after_end', end: '2027-04-01T00:00:00.000Z' },
          { ...phase, name: 'plain', scores: 'shown', intervals: undefined },
        ],
      };
      database = await backend.create();
      server = await startTestServer({ db: database.db, gtDir: gt, challenge, now: clock.now, workers: 0, dataDirs: [] });
      app = createApp(server.ctx);
      call = requester(app);
      tokens.admin = await addUser(server, 'admin', true);
      for (const name of ['ann', 'ben', 'cy', 'dee', 'eve']) tokens[name] = await addUser(server, name, false, null);
      for (const [who, ap, figures] of [
        ['ann', 0.6, ann],
        ['ben', 0.599, ben],
        ['cy', 0.499, cy],
        ['dee', 0.449, dee],
      ] as const) {
        ids[who] = await submit(who, 'dev');
        await evaluate(ids[who]!, ap, figures);
      }
      // eve's figures come from other lists (another seed): her interval is shown, her gap to cy is not judged.
      ids.eve = await submit('eve', 'dev');
      await evaluate(
        ids.eve,
        0.3,
        dee.map((v) => v - 0.1),
        { ...INTERVALS, seed: 4 },
      );
      ids.final = await submit('ann', 'final');
      await evaluate(ids.final, 0.6, ann);
    });
    after(async () => {
      await server.close();
      await database.drop();
    });

    test('GET /api/challenge says which phases show intervals, at which level and count (not the seed)', async () => {
      const body = (await (await call('GET', '/api/challenge')).json()) as { phases: { name: string; intervals: unknown }[] };
      assert.deepEqual(
        body.phases.map((p) => [p.name, p.intervals]),
        [
          ['dev', { resamples: 200, level: 0.95 }],
          ['final', { resamples: 200, level: 0.95 }],
          ['plain', null],
        ],
      );
    });

    test('each entry has its interval; each ranked team is compared with the team above on the same resamples', async () => {
      const b = await board('phase=dev&task=bbox');
      assert.deepEqual(b.intervals, { figure: 'AP', level: 0.95, resamples: 200 });
      assert.deepEqual(
        b.entries.map((e) => e.team),
        ['ann', 'ben', 'cy', 'dee', 'eve'],
      );
      const interval = percentileInterval(ann, 0.95);
      assert.deepEqual(b.entries[0]!.interval, { low: interval.low, high: interval.high, level: 0.95 });
      assert.ok(b.entries.every((e) => e.interval !== null && e.interval.low <= e.interval.high));
      assert.equal(b.entries[0]!.vs_above, null, 'the first row has no team above');
      const [, benVs, cyVs, deeVs, eveVs] = b.entries.map((e) => e.vs_above);
      assert.deepEqual({ ...benVs, difference: undefined }, { ...expected(ann, ben), difference: undefined });
      assert.ok(Math.abs(benVs!.difference - 0.001) < 1e-12);
      assert.equal(benVs!.significant, false, 'ann and ben are within the noise of the image sample');
      assert.ok(benVs!.above_beats > 0.2 && benVs!.above_beats < 0.8);
      assert.deepEqual({ ...cyVs, difference: undefined }, { ...expected(ben, cy), difference: undefined });
      assert.deepEqual([cyVs!.significant, cyVs!.above_beats], [true, 1]);
      assert.deepEqual({ ...deeVs, difference: undefined }, { ...expected(cy, dee), difference: undefined });
      assert.equal(deeVs!.significant, true);
      assert.equal(eveVs, null, 'figures of other resample lists are not compared');
    });

    test('paging compares the first row of a page with the last of the page before; another order compares nothing', async () => {
      const page2 = await board('phase=dev&task=bbox&per_page=2&page=2');
      assert.deepEqual(
        page2.entries.map((e) => [e.team, e.vs_above?.significant]),
        [
          ['cy', true],
          ['dee', true],
        ],
      );
      assert.deepEqual({ ...page2.entries[0]!.vs_above, difference: undefined }, { ...expected(ben, cy), difference: undefined });
      const byAp50 = await board('phase=dev&task=bbox&order_by=AP50');
      assert.ok(byAp50.entries.every((e) => e.vs_above === null && e.interval !== null));
    });

    test('CSV and JSON downloads carry the bounds and the comparison with the team above', async () => {
      const csv = await (await call('GET', '/api/leaderboard.csv?phase=dev&task=bbox')).text();
      const lines = csv.trimEnd().split('\r\n');
      assert.deepEqual(lines[0]!.split(',').slice(-4), ['AP_low', 'AP_high', 'above_beats', 'significant_vs_above']);
      const rows = lines.slice(1).map((l) => l.split(','));
      assert.deepEqual(
        rows.map((r) => [r[1], r.at(-1)]),
        [
          ['ann', ''],
          ['ben', 'false'],
          ['cy', 'true'],
          ['dee', 'true'],
          ['eve', ''],
        ],
      );
      const interval = percentileInterval(ben, 0.95);
      assert.deepEqual(rows[1]!.slice(-4, -2).map(Number), [interval.low, interval.high]);
      assert.equal(Number(rows[1]!.at(-2)), expected(ann, ben).above_beats);
      const json = (await (await call('GET', '/api/leaderboard.json?phase=dev&task=bbox')).json()) as LeaderboardJson;
      assert.deepEqual(json, { ...(await board('phase=dev&task=bbox&per_page=100')), per_page: 5 });
      // A phase without intervals keeps its columns as they were.
      const plain = await (await call('GET', '/api/leaderboard.csv?phase=plain&task=bbox')).text();
      assert.ok(!plain.includes('AP_low'));
      assert.equal((await board('phase=plain&task=bbox')).intervals, null);
    });

    test('a phase that hides its figures until its end leaks no interval', async () => {
      const hidden = (await (await call('GET', '/api/leaderboard?phase=final&task=bbox', { token: tokens.ann })).json()) as LeaderboardJson;
      assert.deepEqual([hidden.entries, hidden.hidden_until], [[], '2027-04-01T00:00:00.000Z']);
      assert.equal((await call('GET', '/api/leaderboard.csv?phase=final&task=bbox')).status, 403);
      assert.equal((await call('GET', '/api/leaderboard.json?phase=final&task=bbox')).status, 403);
      const own = await (await call('GET', `/api/submissions/${ids.final}`, { token: tokens.ann })).text();
      assert.ok(!own.includes('interval'), own);
      const admin = await board('phase=final&task=bbox', tokens.admin);
      assert.notEqual(admin.entries[0]!.interval, null, 'admins see it');
    });
  });
