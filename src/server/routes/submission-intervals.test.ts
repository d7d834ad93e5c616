/**
 * A submission's own intervals through app.request(), on both backends: in a
 * phase with `intervals:`, the worker's evaluation keeps every figure's
 * bootstrap interval and AP per category's, and GET /api/submissions/:id
 * gives them: the same numbers as df2 eval --ci on the same lists, the
 * leaderboard's interval among them. The submission's report
 * (GET /submissions/:id/report) shows those same intervals, read back out of
 * its HTML, and is the page `df2 report --ci` makes of the same files with
 * the same draws. A phase that withholds its figures withholds the
 * intervals and the report with them (admins still see both); a phase
 * without intervals has none, on the record or in the report.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Hono } from 'hono';
import { bootstrapCoco, loadCocoPair, type FigureInterval } from '../../eval/index.js';
import { reportPage } from '../../render/index.js';
import { goldenPath } from '../../testing/paths.js';
import { createApp } from '../app.js';
import type { RunningServer } from '../server.js';
import type { Challenge, PhaseIntervals } from '../challenge/config.js';
import { addUser, goldenGtDir, requester, startTestServer } from '../test-support.js';
import type { FigureBoundsJson, LeaderboardJson, SubmissionJson } from '../../shared/api-types.js';
import { TEST_BACKENDS } from '../test-backends.js';

const INTERVALS: PhaseIntervals = { resamples: 150, level: 0.9, seed: 5 };
const RESULTS = goldenPath('basic', 'results', 'bbox_results.json');
const RETRIEVAL_RESULTS = goldenPath('basic', 'retrieval', 'results.json');

const bounds = (f: FigureInterval): FigureBoundsJson =>
  f.defined > 0 ? { low: f.low, high: f.high, defined: f.defined } : { low: null, high: null, defined: 0 };

/** The `<table class="NAME" ...>` of a report page (the first one). */
function table(html: string, name: string): string {
  const found = html.match(new RegExp(`<table class="${name}"[^>]*>[\\s\\S]*?</table>`));
  assert.ok(found, `the report has a ${name} table`);
  return found[0];
}

/**
 * The interval cells of a report table, each after the figure it belongs to, by that figure's key (`attribute`:
 * data-stat, data-key or the row's data-category): the exact bounds of data-low and data-high as stored (null where no
 * resample defined the figure), checked against the three decimals the cell shows.
 */
function intervalCells(html: string, key: 'data-stat' | 'data-key' | 'data-category'): Map<string, FigureBoundsJson> {
  const cell = '<td class="ci" data-defined="(\\d+)"(?: data-low="([^"]*)" data-high="([^"]*)")?>([^<]*)</td>';
  const pattern =
    key === 'data-category'
      ? new RegExp(`<tr data-category="(\\d+)">.*?<td data-key="ap" data-value="[^"]*">[^<]*</td>${cell}`, 'g')
      : new RegExp(`<td ${key}="([^"]+)" data-value="[^"]*">[^<]*</td>${cell}`, 'g');
  const out = new Map<string, FigureBoundsJson>();
  for (const [, name, defined, low, high, shown] of html.matchAll(pattern)) {
    if (low === undefined || high === undefined) {
      assert.equal(shown, '[undefined]');
      out.set(name!, { low: null, high: null, defined: Number(defined) });
      continue;
    }
    assert.equal(shown, `[${Number(low).toFixed(3)}, ${Number(high).toFixed(3)}]`);
    out.set(name!, { low: Number(low), high: Number(high), defined: Number(defined) });
  }
  return out;
}

/** A report page without the minute it was made at (two pages of the same evaluation differ only there). */
const undated = (html: string): string => html.replace(/Made by df2 on \S+ /, 'Made by df2 on (time) ');

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
    const report = async (id: number, token: string): Promise<Response> => call('GET', `/api/submissions/${id}/report`, { token });
    const submitAndWait = async (phase: string, task: 'bbox' | 'retrieval' = 'bbox'): Promise<number> => {
      const file = new Blob([await readFile(task === 'bbox' ? RESULTS : RETRIEVAL_RESULTS)]);
      const res = await call('POST', '/api/submissions', { token: tokens.kim, form: { name: `kim ${phase}`, phase, task, file } });
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
      const phase = {
        gtDir,
        tasks: ['bbox' as const, 'retrieval' as const],
        limits: {},
        leaderboard: 'public' as const,
        rule: 'best' as const,
        intervals: INTERVALS,
      };
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
      ids.retrieval = await submitAndWait('dev', 'retrieval');
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

    test("the report shows the submission's stored intervals: every figure, AP per category, top-k for retrieval", async () => {
      const { body } = await submission(ids.dev!, tokens.kim!);
      const res = await report(ids.dev!, tokens.kim!);
      assert.equal(res.status, 200);
      const html = await res.text();
      const summary = intervalCells(table(html, 'summary'), 'data-stat');
      assert.deepEqual(
        [...summary.entries()],
        body.result!.statIntervals!.map((f, i) => [String(i), f]),
      );
      const perCategory = intervalCells(table(html, 'per-category'), 'data-category');
      assert.deepEqual(
        [...perCategory.entries()],
        body.result!.perCategoryAp!.map((c, i) => [String(c.category_id), body.result!.perCategoryApIntervals![i]!]),
      );
      // How they were drawn: the phase's lists and level.
      assert.match(html, /<p class="note" data-resampling="150">Intervals: 90% percentile intervals over 150 bootstrap resamples of the images \(seed 5\)/);
      assert.match(table(html, 'summary'), /<th>90% interval<\/th>/);

      const retrieval = await submission(ids.retrieval!, tokens.kim!);
      const page = await (await report(ids.retrieval!, tokens.kim!)).text();
      const topK = intervalCells(table(page, 'retrieval'), 'data-key');
      assert.deepEqual(
        [...topK.entries()],
        retrieval.body.result!.statIntervals!.map((f, i) => [retrieval.body.stat_names[i]!.replace('top-', 'top'), f]),
      );
      assert.match(page, /data-resampling="150">Intervals: 90% percentile intervals over 150 bootstrap resamples of the query images \(seed 5\)/);
    });

    test('the report is the page df2 report --ci makes of the same files with the same seed, resamples and level', async () => {
      const kim = { token: tokens.kim! };
      for (const id of [ids.dev!, ids.retrieval!]) {
        const { body } = await submission(id, kim.token);
        const served = await (await report(id, kim.token)).text();
        const resultsFile = body.task === 'bbox' ? RESULTS : RETRIEVAL_RESULTS;
        const gtFile = join(gtDir, 'coco.json');
        const retrievalFiles = { query: join(gtDir, 'query.json'), gallery: join(gtDir, 'gallery.json'), results: resultsFile };
        const cli = await reportPage({
          gtFile: body.task === 'bbox' ? gtFile : '',
          tasks: body.task === 'bbox' ? [{ task: 'bbox', resultsFile }] : [],
          ...(body.task === 'retrieval' && { retrieval: retrievalFiles }),
          intervals: INTERVALS,
          title: `df2 submission ${id} (${body.task})`,
          displayName: (path) => (path === resultsFile ? body.file_name : `<ground truth>/${path.split('/').pop()!}`),
        });
        assert.match(cli, /class="ci" data-defined="150" data-low/);
        assert.equal(undated(served), undated(cli), `submission ${id} (${body.task})`);
      }
    });

    test('a phase that withholds its figures withholds the report; admins see it with its intervals', async () => {
      const own = await report(ids.final!, tokens.kim!);
      assert.equal(own.status, 404);
      const refusal = await own.text();
      assert.doesNotMatch(refusal, /interval|data-low|\d\.\d{3}/);
      const admin = await submission(ids.final!, tokens.admin!);
      const page = await (await report(ids.final!, tokens.admin!)).text();
      assert.deepEqual([...intervalCells(table(page, 'summary'), 'data-stat').values()], admin.body.result!.statIntervals);
    });

    test('a phase without intervals keeps none', async () => {
      const { body } = await submission(ids.plain!, tokens.kim!);
      assert.ok(body.result);
      assert.equal(body.result.statIntervals, undefined);
      assert.equal(body.result.perCategoryApIntervals, undefined);
      assert.equal(body.result.interval, undefined);
      // Its report neither: no interval cell, column or note, and the figures' cells as they are.
      const html = await (await report(ids.plain!, tokens.kim!)).text();
      assert.equal(intervalCells(html, 'data-stat').size, 0);
      assert.doesNotMatch(html, /class="ci"|data-resampling|interval<\/th>|<div class="i">/);
      assert.match(table(html, 'summary'), new RegExp(`<td data-stat="0" data-value="${body.result.stats[0]}">`));
    });
  });
