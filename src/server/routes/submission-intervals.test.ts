/**
 * A submission's own intervals through app.request(), on both backends: in a
 * phase with `intervals:`, the worker's evaluation keeps every figure's
 * bootstrap interval and AP per category's, and GET /api/submissions/:id
 * gives them: the same numbers as df2 eval --ci on the same lists, the
 * leaderboard's interval among them. A phase that withholds its figures
 * withholds the intervals with them (admins still see both); a phase
 * without intervals has none.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Hono } from 'hono';
import { bootstrapCoco, loadCocoPair, type FigureInterval } from '../../eval/index.js';
import { goldenPath } from '../../testing/paths.js';
import { createApp } from '../app.js';
import type { RunningServer } from '../server.js';
import type { Challenge, PhaseIntervals } from '../challenge/config.js';
import { addUser, goldenGtDir, requester, startTestServer } from '../test-support.js';
import type { FigureBoundsJson, LeaderboardJson, SubmissionJson } from '../../shared/api-types.js';
import { TEST_BACKENDS } from '../test-backends.js';

const INTERVALS: PhaseIntervals = { resamples: 150, level: 0.9, seed: 5 };
const RESULTS = goldenPath('basic', 'results', 'bbox_results.json');

const bounds = (f: FigureInterval): FigureBoundsJson =>
  f.defined > 0 ? { low: f.low, high: f.high, defined: f.defined } : { low: null, high: null, defined: 0 };

for (const backend of TEST_BACKENDS)
  describe(`a submission's own intervals (app.request, ${backend.name})`, { skip: backend.skip }, () => {
    let database: Awaited<ReturnType<typeof backend.create>>;
    let server: RunningServer;
    let app: Hono;
    let call: ReturnType<typeof requester>;
    let gtDir: string;
    const tokens: Record<string, string> = {};
    const ids: Record<string, number> = {};

    const submission = async (id: number, token: string): Promise<{ body: SubmissionJson; text: string }> => {
      const res = await call('GET', `/api/submissions/${id}`, { token });
      assert.equal(res.status, 200);
      const text = await res.text();
      return { body: JSON.parse(text) as SubmissionJson, text };
    };
    const submitAndWait = async (phase: string): Promise<number> => {
      const file = new Blob([await readFile(RESULTS)]);
      const res = await call('POST', '/api/submissions', { token: tokens.kim, form: { name: `kim ${phase}`, phase, task: 'bbox', file } });
      assert.equal(res.status, 202, await res.clone().text());
      const id = ((await res.json()) as { id: number }).id;
      const until = Date.now() + 60_000;
      for (;;) {
        const { body } = await submission(id, tokens.admin!);
        if (body.status === 'done') return id;
        assert.notEqual(body.status, 'failed', String(body.error));
        assert.ok(Date.now() < until, `submission ${id} still ${body.status}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };

    before(async () => {
      gtDir = await goldenGtDir({ attributes: false });
      const phase = { gtDir, tasks: ['bbox' as const], limits: {}, leaderboard: 'public' as const, rule: 'best' as const, intervals: INTERVALS };
      const challenge: Challenge = {
        title: 'Own intervals',
        description: '',
        registration: 'closed',
        phases: [
          { ...phase, name: 'dev', scores: 'shown' },
          { ...phase, name: 'final', scores: 'after_end', end: '2099-01-01T00:00:00.000Z' },
          { ...phase, name: 'plain', scores: 'shown', intervals: undefined },
        ],
      };
      database = await backend.create();
      server = await startTestServer({ db: database.db, gtDir, challenge, dataDirs: [] });
      app = createApp(server.ctx);
      call = requester(app);
      tokens.admin = await addUser(server, 'admin', true);
      tokens.kim = await addUser(server, 'kim');
      for (const phase of ['dev', 'final', 'plain']) ids[phase] = await submitAndWait(phase);
    });
    after(async () => {
      await server.close();
      await database.drop();
    });

    test("every figure and each category's AP with the interval df2 eval --ci gives on the phase's lists", async () => {
      const { gt, results } = await loadCocoPair('bbox', join(gtDir, 'coco.json'), RESULTS);
      const reference = await bootstrapCoco('bbox', gt, results, { ...INTERVALS, threads: 1 });
      const { body } = await submission(ids.dev!, tokens.kim!);
      const r = body.result!;
      assert.equal(r.statIntervals?.length, r.stats.length);
      assert.deepEqual(r.statIntervals, reference.stats.map(bounds));
      assert.deepEqual(r.perCategoryApIntervals, reference.perCategory.map(bounds));
      assert.deepEqual(
        r.perCategoryAp?.map((c) => c.category_id),
        reference.perCategory.map((c) => c.categoryId),
        'in the order of perCategoryAp',
      );
      // Not all alike: the intervals are the figures' own.
      assert.ok(new Set(r.statIntervals.map((f) => f.low)).size > 3);
      // The leaderboard's figure: the same bounds on the board and in statIntervals[0].
      const board = (await (await call('GET', '/api/leaderboard?phase=dev&task=bbox')).json()) as LeaderboardJson;
      const entry = board.entries.find((e) => e.submission_id === ids.dev)!;
      assert.deepEqual([entry.interval?.low, entry.interval?.high], [r.statIntervals[0]!.low, r.statIntervals[0]!.high]);
    });

    test('a phase that withholds its figures withholds their intervals; admins see both', async () => {
      const own = await submission(ids.final!, tokens.kim!);
      assert.equal(own.body.result, null);
      assert.equal(own.body.stats, null);
      assert.ok(own.body.figures_hidden_until !== null);
      assert.doesNotMatch(own.text, /statIntervals|perCategoryApIntervals|"low"/);
      const admin = await submission(ids.final!, tokens.admin!);
      assert.equal(admin.body.result?.statIntervals?.length, admin.body.result?.stats.length);
    });

    test('a phase without intervals keeps none', async () => {
      const { body } = await submission(ids.plain!, tokens.kim!);
      assert.ok(body.result);
      assert.equal(body.result.statIntervals, undefined);
      assert.equal(body.result.perCategoryApIntervals, undefined);
      assert.equal(body.result.interval, undefined);
    });
  });
