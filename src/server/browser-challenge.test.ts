/**
 * The challenge in real Chromium: sign up in the app (open registration),
 * submit with method metadata, see the phase leaderboards and sort one by
 * another figure; a #token= link asks before replacing a saved token; the
 * top bar fits a 390 px phone. Every figure on the board is a real
 * evaluation of results derived from the golden fixture. With
 * DF2_SCREENSHOTS=1 the leaderboard's picture goes to docs/images.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { appReady, launchChromium, navigate as navigateIn, skipWithoutChromium, type InPage } from '../testing/browser.js';
import { goldenPath, REPO_ROOT, tempDir } from '../testing/paths.js';
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

describe('the challenge in the browser', { skip: skipWithoutChromium }, () => {
  let server: RunningServer;
  let context: BrowserContext;
  let page: Page;
  let shots: string;
  const errors: string[] = [];
  const ready = () => appReady(page);
  const navigate = (action: () => Promise<unknown>): Promise<void> => navigateIn(page, action);
  const api = async <T>(path: string, token?: string): Promise<T> =>
    (await (await fetch(`${server.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} })).json()) as T;

  before(async () => {
    const gt = await goldenGtDir();
    const day = 86400_000;
    const iso = (offsetDays: number) => new Date(Date.now() + offsetDays * day).toISOString();
    const challenge: Challenge = {
      title: 'DeepFashion2 Challenge (test)',
      description: '# Rules\n\nOne **team** per person. <img src=x onerror="window.__pwned = 1"> [x](javascript:window.__pwned=2)',
      registration: 'open',
      phases: [
        {
          name: 'dev',
          gtDir: gt,
          tasks: ['bbox', 'retrieval'],
          start: iso(-30),
          end: iso(30),
          limits: { perDay: 10 },
          leaderboard: 'public',
          scores: 'shown',
          rule: 'best',
        },
        {
          name: 'test',
          gtDir: gt,
          tasks: ['bbox'],
          start: iso(31),
          end: iso(45),
          limits: { perDay: 1, total: 5 },
          leaderboard: 'private',
          scores: 'after_end',
          rule: 'latest',
        },
      ],
    };
    server = await startTestServer({ gtDir: gt, challenge, dataDirs: [] });
    // Three teams' real evaluations of results made from the golden fixture's, and an organizer's baseline.
    const all = JSON.parse(await readFile(goldenPath('basic', 'results', 'bbox_results.json'), 'utf8')) as Detection[];
    const topPerImage = [...new Map([...all].sort((a, b) => a.score - b.score).map((d) => [d.image_id, d])).values()];
    const variants: [string, string | null, string, Detection[], boolean][] = [
      ['kim', 'Lab A', 'confident boxes', all.filter((d) => d.score >= 0.6), false],
      ['lee', 'Lab A', 'every other box', all.filter((_d, k) => k % 2 === 0), false],
      ['max', null, 'one box per image', topPerImage, false],
      ['org', null, 'reference model', all.map((d) => ({ ...d, score: Math.round(d.score * 10) / 10 })), true],
    ];
    for (const [name, team, method, results, admin] of variants) {
      const token = await addUser(server, name, admin, team);
      const res = await upload(server, token, {
        phase: 'dev',
        task: 'bbox',
        name: method,
        description: `${results.length} detections`,
        file: { name: 'bbox.json', content: JSON.stringify(results) },
      });
      const sub = await waitForSubmission(server, token, ((await res.json()) as { id: number }).id);
      assert.equal(sub.status, 'done', String(sub.error));
      if (admin)
        await fetch(`${server.url}/api/submissions/${sub.id}`, {
          method: 'PATCH',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: '{"baseline": true}',
        });
    }
    shots = process.env.DF2_SCREENSHOTS ? join(REPO_ROOT, 'docs', 'images') : await tempDir('df2-shots-');
    await mkdir(shots, { recursive: true });
    ({ context, page } = await launchChromium(errors));
  });
  after(async () => {
    await context?.close();
    await server?.close();
  });

  test("sign up in the app; the session cookie is out of the page's reach", async () => {
    await page.goto(`${server.url}/#/signin`);
    await ready();
    await page.fill('#signup-name', 'Nora');
    await page.fill('#signup-password', 'a long password');
    await page.fill('#signup-password2', 'a long password');
    await navigate(() => page.click('#signup-form button[type=submit]'));
    assert.match(await page.evaluate<string>('location.hash'), /^#\/submit/);
    await page.waitForSelector('#signed-in-as');
    assert.match((await page.textContent('#signed-in-as')) ?? '', /signed in as Nora/);
    assert.equal(await page.evaluate<string>('document.cookie'), '', 'HttpOnly: scripts cannot read the session');
    const cookies = await context.cookies(server.url);
    const session = cookies.find((c) => c.name === 'df2_session');
    assert.ok(session?.httpOnly);
    assert.equal(session?.sameSite, 'Strict');
    await page.waitForFunction(() => (globalThis as InPage).document.querySelector('#who-link')?.textContent === 'Nora');
  });

  test('submit with method name, description, paper and code links; it is evaluated and listed', async () => {
    await page.selectOption('#phase', 'dev');
    await page.selectOption('#task', 'bbox');
    await page.fill('#name', 'full detector');
    await page.fill('#description', 'every box of the golden fixture');
    await page.fill('#paper_url', 'https://arxiv.org/abs/1901.07973');
    await page.fill('#code_url', 'https://github.com/switchablenorms/DeepFashion2');
    await page.setInputFiles('#file', goldenPath('basic', 'results', 'bbox_results.json'));
    await page.click('#submit-button');
    await page.waitForSelector('#submitted-link');
    await page.waitForSelector('#my-submissions [data-status="done"]', { timeout: 30_000 });
    const id = Number(((await page.textContent('#submitted-link')) ?? '').slice(1));
    const res = await page.evaluate<{ status: number; body: SubmissionJson }>(
      `fetch('/api/submissions/${id}').then(async (r) => ({ status: r.status, body: await r.json() }))`,
    );
    assert.equal(res.status, 200, "the cookie signs the app's requests");
    assert.deepEqual(
      [res.body.name, res.body.description, res.body.paper_url, res.body.code_url, res.body.public, res.body.team],
      ['full detector', 'every box of the golden fixture', 'https://arxiv.org/abs/1901.07973', 'https://github.com/switchablenorms/DeepFashion2', true, 'Nora'],
    );
    const golden = (JSON.parse(await readFile(goldenPath('basic', 'golden.json'), 'utf8')) as { bbox: { stats: number[] } }).bbox.stats;
    res.body.stats!.forEach((v, k) => assert.ok(Math.abs(v - golden[k]!) < 1e-12, `stat ${k}`));
  });

  test('the phase leaderboards: one row per team, sorted by another column on a click', async () => {
    await navigate(() => page.goto(`${server.url}/#/leaderboard/dev/bbox`));
    const rows = () => page.$$eval('#leaderboard tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-team')));
    const byAp = await api<LeaderboardJson>('/api/leaderboard?phase=dev&task=bbox');
    assert.deepEqual(
      await rows(),
      byAp.entries.map((e) => e.team),
    );
    // Lab A's two members stand as one row; the organizer's baseline is shown unranked, last.
    assert.deepEqual([...new Set(byAp.entries.map((e) => e.team))].length, byAp.entries.length);
    assert.equal(byAp.entries.at(-1)!.baseline, true);
    assert.equal(await page.textContent('#leaderboard tbody tr:last-child td.rank'), '–');
    // The column whose order differs most from AP's.
    const candidates = await Promise.all(
      byAp.stat_names.filter((n) => n !== 'AP').map(async (n) => api<LeaderboardJson>(`/api/leaderboard?phase=dev&task=bbox&order_by=${n}`)),
    );
    const differs = candidates.find((b) => b.entries.map((e) => e.team).join() !== byAp.entries.map((e) => e.team).join()) ?? candidates[0]!;
    await navigate(() => page.click(`#leaderboard th[data-stat="${differs.order_by}"] a`));
    assert.match(await page.evaluate<string>('location.hash'), new RegExp(`order_by=${differs.order_by}`));
    assert.equal(await page.getAttribute('#leaderboard', 'data-order-by'), differs.order_by);
    assert.deepEqual(
      await rows(),
      differs.entries.map((e) => e.team),
    );
    const column = byAp.stat_names.indexOf(differs.order_by);
    const shown = await page.$$eval(
      `#leaderboard tbody tr:not(.baseline)`,
      (trs, k) => trs.map((tr) => Number(tr.querySelectorAll('td[data-value]')[k as number]!.getAttribute('data-value'))),
      column,
    );
    assert.deepEqual(
      shown,
      [...shown].sort((a, b) => b - a),
      'descending',
    );
    assert.equal(await page.getAttribute('#download-csv', 'href'), `/api/leaderboard.csv?phase=dev&task=bbox&order_by=${differs.order_by}`);
    await navigate(() => page.goto(`${server.url}/#/leaderboard/dev/bbox`));
    await page.screenshot({ path: join(shots, 'challenge-leaderboard.png'), fullPage: false });
    // The test phase's board is private: the page says so.
    await navigate(() => page.click('.phase-tabs a[data-phase="test"]'));
    await page.waitForSelector('#board-closed');
  });

  test("the challenge's description is shown as Markdown, with nothing of it run", async () => {
    await navigate(() => page.goto(`${server.url}/#/leaderboard/dev/bbox`));
    assert.equal(await page.textContent('#challenge-description h1'), 'Rules');
    assert.equal(await page.textContent('#challenge-description strong'), 'team');
    assert.equal(await page.$$eval('#challenge-description img, #challenge-description a, #challenge-description script', (els) => els.length), 0);
    assert.match((await page.textContent('#challenge-description p')) ?? '', /<img src=x onerror=/, 'the tag is shown as text');
    assert.equal(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned), undefined);
  });

  test('a #token= link asks before replacing a saved token', async () => {
    const first = await addUser(server, 'tokenuser1');
    const second = await addUser(server, 'tokenuser2');
    await page.evaluate('localStorage.clear()');
    await page.goto(`${server.url}/#token=${first}`);
    await ready();
    assert.equal(await page.evaluate<string>("localStorage.getItem('df2.token')"), first, 'nothing saved yet: taken without asking');
    let asked = '';
    page.once('dialog', (dialog) => {
      asked = dialog.message();
      void dialog.dismiss();
    });
    await page.goto(`${server.url}/#token=${second}`);
    await ready();
    assert.match(asked, /Replace the token saved in this browser/);
    assert.equal(await page.evaluate<string>("localStorage.getItem('df2.token')"), first, 'kept when refused');
    page.once('dialog', (dialog) => void dialog.accept());
    await page.goto(`${server.url}/#token=${second}`);
    await ready();
    assert.equal(await page.evaluate<string>("localStorage.getItem('df2.token')"), second);
    assert.ok(!(await page.evaluate<string>('location.hash')).includes('token'), 'the token leaves the address bar');
  });

  test('the top bar works at 390 px wide', async () => {
    const phone = await context.newPage();
    try {
      await phone.setViewportSize({ width: 390, height: 800 });
      await phone.goto(`${server.url}/#/leaderboard/dev/bbox`);
      await phone.waitForSelector('#app[aria-busy=false]');
      await phone.waitForSelector('#who-link');
      const box = (await phone.evaluate(`(() => {
        const r = (sel) => document.querySelector(sel).getBoundingClientRect();
        return { page: document.documentElement.scrollWidth, bar: r('.topbar').right, who: r('#who').right, nav: r('#nav').right };
      })()`)) as { page: number; bar: number; who: number; nav: number };
      assert.ok(box.bar <= 390 && box.who <= 390 && box.nav <= 390, JSON.stringify(box));
      // Every nav entry can be reached: the nav scrolls, the page does not.
      await phone.click('#nav a[data-nav="admin"]');
      await phone.waitForFunction(() => (globalThis as InPage).location.hash.startsWith('#/admin'));
      await phone.screenshot({ path: join(await tempDir('df2-shots-'), 'phone.png') });
    } finally {
      await phone.close();
    }
    assert.deepEqual(errors, []);
  });
});
