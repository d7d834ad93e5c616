/**
 * Leaderboard intervals in real Chromium: a phase with `intervals:` evaluates
 * each submission (really, in the worker's child process) on its resample
 * lists; the board shows each team's AP with its interval and marks "≈" the
 * teams the image sample cannot tell from the team above, exactly as the
 * API says, with a title and an aria-label that say it in words. A
 * submission's own page shows each of its figures and each category's AP
 * with the interval the API gives.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import type { BrowserContext, Page } from 'playwright-core';
import { appReady, launchChromium, skipWithoutChromium } from '../testing/browser.js';
import { goldenPath } from '../testing/paths.js';
import type { RunningServer } from './server.js';
import type { Challenge } from './challenge/config.js';
import { addUser, goldenGtDir, startTestServer, upload, waitForSubmission } from './test-support.js';
import type { LeaderboardJson, SubmissionJson } from '../shared/api-types.js';

interface Detection {
  image_id: number;
  category_id: number;
  bbox: number[];
  score: number;
}

describe('leaderboard intervals in the browser', { skip: skipWithoutChromium }, () => {
  let server: RunningServer;
  let context: BrowserContext;
  let page: Page;
  const errors: string[] = [];
  const tokens: Record<string, string> = {};
  const ids: Record<string, number> = {};

  before(async () => {
    const gt = await goldenGtDir();
    const challenge: Challenge = {
      title: 'Intervals in the browser',
      description: '',
      registration: 'closed',
      phases: [
        {
          name: 'dev',
          gtDir: gt,
          tasks: ['bbox'],
          limits: {},
          leaderboard: 'public',
          scores: 'shown',
          rule: 'best',
          intervals: { resamples: 200, level: 0.95, seed: 1 },
        },
      ],
    };
    server = await startTestServer({ gtDir: gt, challenge, dataDirs: [] });
    const all = JSON.parse(await readFile(goldenPath('basic', 'results', 'bbox_results.json'), 'utf8')) as Detection[];
    const topPerImage = [...new Map([...all].sort((a, b) => a.score - b.score).map((d) => [d.image_id, d])).values()];
    // kim and lee hand in the same file: the same AP on every resample, so never significantly apart.
    const teams: [string, Detection[]][] = [
      ['kim', all],
      ['lee', all],
      ['max', all.filter((d) => d.score >= 0.6)],
      ['nia', topPerImage],
    ];
    for (const [name, results] of teams) {
      const token = await addUser(server, name);
      tokens[name] = token;
      const res = await upload(server, token, {
        phase: 'dev',
        task: 'bbox',
        name: `${name} model`,
        file: { name: 'bbox.json', content: JSON.stringify(results) },
      });
      assert.equal(res.status, 202, await res.clone().text());
      const sub = await waitForSubmission(server, token, ((await res.json()) as { id: number }).id, 60_000);
      assert.equal(sub.status, 'done', String(sub.error));
      ids[name] = sub.id as number;
    }
    ({ context, page } = await launchChromium(errors));
  });
  after(async () => {
    await context?.close();
    await server?.close();
  });

  test('each AP with its interval, and "≈" where the API says the gap to the team above is not significant', async () => {
    const board = (await (await fetch(`${server.url}/api/leaderboard?phase=dev&task=bbox`)).json()) as LeaderboardJson;
    assert.deepEqual(board.intervals, { figure: 'AP', level: 0.95, resamples: 200 });
    assert.ok(board.entries.every((e) => e.interval !== null && e.interval.low <= e.stats.AP! && e.stats.AP! <= e.interval.high));
    const marked = board.entries.filter((e) => e.vs_above?.significant === false).map((e) => e.team);
    assert.ok(marked.length >= 1, 'the two identical files are not significantly apart');
    await page.goto(`${server.url}/#/leaderboard/dev/bbox`);
    await appReady(page);
    const shown = await page.$$eval('#leaderboard tbody tr', (trs) =>
      trs.map((tr) => {
        const interval = tr.querySelector('td.primary .interval');
        const mark = tr.querySelector('td.rank .not-significant');
        return {
          team: tr.getAttribute('data-team'),
          text: interval?.textContent ?? null,
          low: Number(interval?.getAttribute('data-low')),
          high: Number(interval?.getAttribute('data-high')),
          mark: mark?.textContent ?? null,
          label: mark?.getAttribute('aria-label') ?? null,
        };
      }),
    );
    assert.deepEqual(
      shown.map((r) => r.team),
      board.entries.map((e) => e.team),
    );
    board.entries.forEach((e, k) => {
      const row = shown[k]!;
      assert.deepEqual([row.low, row.high], [e.interval!.low, e.interval!.high]);
      assert.equal(row.text, `[${e.interval!.low.toFixed(4)}, ${e.interval!.high.toFixed(4)}]`);
      const notSignificant = e.vs_above?.significant === false;
      assert.equal(row.mark, notSignificant ? '≈' : null, `${e.team}'s mark`);
      assert.equal(row.label, notSignificant ? 'not significantly different from the team above at 95%' : null);
    });
    assert.match((await page.textContent('#intervals-note')) ?? '', /95% bootstrap interval of AP over the images \(200 resamples/);
    assert.deepEqual(errors, []);
  });

  test("a submission's page: each figure and each category's AP with the interval the API gives", async () => {
    const sub = (await (
      await fetch(`${server.url}/api/submissions/${ids.max}`, { headers: { authorization: `Bearer ${tokens.max}` } })
    ).json()) as SubmissionJson;
    const r = sub.result!;
    assert.equal(r.statIntervals?.length, r.stats.length);
    await page.goto(`${server.url}/#token=${tokens.max}`);
    await appReady(page);
    await page.goto(`${server.url}/#/submission/${ids.max}`);
    await appReady(page);
    await page.waitForSelector('table[data-table="stats"] .interval');
    const shown = await page.$$eval('table[data-table="stats"] tbody td', (tds) =>
      tds.map((td) => {
        const interval = td.querySelector('.interval');
        return {
          value: Number(td.getAttribute('data-value')),
          text: interval?.textContent ?? null,
          low: interval?.getAttribute('data-low') ?? null,
          high: interval?.getAttribute('data-high') ?? null,
        };
      }),
    );
    assert.equal(shown.length, r.stats.length);
    r.statIntervals!.forEach((f, j) => {
      assert.equal(shown[j]!.value, r.stats[j]);
      assert.deepEqual([shown[j]!.low, shown[j]!.high], [String(f.low), String(f.high)], `${r.statNames[j]}: the exact bounds`);
      assert.equal(shown[j]!.text, `[${f.low!.toFixed(4)}, ${f.high!.toFixed(4)}]`);
    });
    // The leaderboard's figure: the same interval as on the board.
    const board = (await (await fetch(`${server.url}/api/leaderboard?phase=dev&task=bbox`)).json()) as LeaderboardJson;
    const entry = board.entries.find((e) => e.submission_id === ids.max)!;
    assert.deepEqual([Number(shown[0]!.low), Number(shown[0]!.high)], [entry.interval!.low, entry.interval!.high]);
    const categories = await page.$$eval('table[data-table="per-category"] tbody tr', (trs) =>
      trs.map((tr) => ({ id: Number(tr.getAttribute('data-category')), text: tr.querySelector('.interval')?.textContent ?? null })),
    );
    assert.deepEqual(
      categories.map((c) => c.id),
      r.perCategoryAp!.map((c) => c.category_id),
    );
    r.perCategoryApIntervals!.forEach((f, k) =>
      assert.equal(categories[k]!.text, f.low === null ? '[–]' : `[${f.low.toFixed(4)}, ${f.high!.toFixed(4)}]`, `category ${categories[k]!.id}`),
    );
    assert.match((await page.textContent('#intervals-note')) ?? '', /95% bootstrap interval over the images \(200 resamples/);
    assert.deepEqual(errors, []);
  });
});
