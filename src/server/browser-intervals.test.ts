/**
 * Leaderboard intervals in real Chromium: a phase with `intervals:` evaluates
 * each submission (really, in the worker's child process) on its resample
 * lists; the board shows each team's AP with its interval and marks "≈" the
 * teams the image sample cannot tell from the team above, exactly as the
 * API says, with a title and an aria-label that say it in words.
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
import type { LeaderboardJson } from '../shared/api-types.js';

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
      const res = await upload(server, token, {
        phase: 'dev',
        task: 'bbox',
        name: `${name} model`,
        file: { name: 'bbox.json', content: JSON.stringify(results) },
      });
      assert.equal(res.status, 202, await res.clone().text());
      const sub = await waitForSubmission(server, token, ((await res.json()) as { id: number }).id, 60_000);
      assert.equal(sub.status, 'done', String(sub.error));
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
});
