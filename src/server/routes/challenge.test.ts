/**
 * The challenge routes through app.request(), on a two-phase challenge with a
 * clock the tests move: phases open and closed by date, each limit, failed
 * submissions not counted, hidden figures, the private leaderboard, best vs
 * latest per team, ties, paging, CSV and JSON, metadata, cancel and re-run.
 * Figures are recorded through the Store (the evaluation itself is tested in
 * api.test.ts), so that each ranking case is exact.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Hono } from 'hono';
import { createApp } from '../app.js';
import type { RunningServer } from '../server.js';
import type { Challenge } from '../challenge/config.js';
import { statNames } from '../challenge/tasks.js';
import type { Task } from '../challenge/types.js';
import { addUser, goldenGtDir, requester, startTestServer, TestClock } from '../test-support.js';
import type { LeaderboardJson, SubmissionJson } from '../../shared/api-types.js';
import { TEST_BACKENDS } from '../test-backends.js';

const file = new Blob(['[]']);

for (const backend of TEST_BACKENDS)
  describe(`challenge routes (app.request, ${backend.name})`, { skip: backend.skip }, () => {
    let database: Awaited<ReturnType<typeof backend.create>>;
    let server: RunningServer;
    let app: Hono;
    let call: ReturnType<typeof requester>;
    const clock = new TestClock(new Date('2027-03-10T12:00:00Z'));
    const tokens: Record<string, string> = {};

    before(async () => {
      const gt = await goldenGtDir();
      const challenge: Challenge = {
        title: 'Test challenge',
        description: 'Hello',
        registration: 'closed',
        phases: [
          {
            name: 'dev',
            gtDir: gt,
            tasks: ['bbox', 'segm', 'retrieval'],
            start: '2027-01-01T00:00:00.000Z',
            end: '2027-05-31T23:59:59.000Z',
            limits: { perDay: 2, perMonth: 3, total: 4 },
            leaderboard: 'public',
            scores: 'shown',
            rule: 'best',
          },
          {
            name: 'test',
            gtDir: gt,
            tasks: ['bbox'],
            start: '2027-06-01T00:00:00.000Z',
            end: '2027-06-15T00:00:00.000Z',
            limits: { perDay: 5 },
            leaderboard: 'private',
            scores: 'after_end',
            rule: 'latest',
          },
        ],
      };
      database = await backend.create();
      server = await startTestServer({ db: database.db, gtDir: gt, challenge, now: clock.now, workers: 0, dataDirs: [] });
      app = createApp(server.ctx);
      call = requester(app);
      tokens.admin = await addUser(server, 'admin', true);
      for (const [name, team] of [
        ['ann', 'Lab'],
        ['ben', 'Lab'],
        ['cy', null],
        ['dee', null],
        ['eve', null],
      ] as const)
        tokens[name] = await addUser(server, name, false, team);
    });
    after(async () => {
      await server.close();
      await database.drop();
    });

    const submit = async (who: string, fields: Record<string, string>, query = ''): Promise<Response> =>
      call('POST', `/api/submissions${query}`, { token: tokens[who], form: { name: 'method', ...fields, file } });
    const accepted = async (who: string, fields: Record<string, string>): Promise<number> => {
      const res = await submit(who, fields);
      assert.equal(res.status, 202, await res.clone().text());
      return ((await res.json()) as { id: number }).id;
    };
    /** Records figures as the evaluation would. */
    const evaluate = async (id: number, task: Task, stats: number[]): Promise<void> => {
      const attempt = (await server.ctx.store.claimSubmission(id, 'test'))!;
      assert.equal(await server.ctx.store.finishSubmission(id, attempt, { task, stats, statNames: statNames(task), seconds: 0.1 }), true);
    };
    const errorOf = async (res: Response): Promise<string> => ((await res.json()) as { error: string }).error;
    const bboxStats = (ap: number, ap50: number): number[] => [ap, ap50, 0.1, 0.1, 0.1, 0.1, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2];

    test('GET /api/challenge: title, registration, phases with dates, state, limits, rule and visibility', async () => {
      const res = await call('GET', '/api/challenge');
      const body = (await res.json()) as {
        title: string;
        registration: string;
        phases: { name: string; state: string; start: string; limits: unknown; leaderboard: string; scores: string; rule: string }[];
      };
      assert.equal(body.title, 'Test challenge');
      assert.equal(body.registration, 'closed');
      assert.deepEqual(
        body.phases.map((p) => [p.name, p.state, p.leaderboard, p.scores, p.rule]),
        [
          ['dev', 'open', 'public', 'shown', 'best'],
          ['test', 'upcoming', 'private', 'after_end', 'latest'],
        ],
      );
      assert.deepEqual(body.phases[0]!.limits, { per_day: 2, per_month: 3, total: 4 });
      assert.ok(!JSON.stringify(body).includes(server.ctx.settings.challenge.phases[0]!.gtDir), 'no ground-truth path');
    });

    test('phase and task are checked; a phase outside its dates answers 403 naming it and its dates', async () => {
      assert.equal(
        await errorOf(await submit('cy', { task: 'bbox' })),
        'phase: expected one of dev, test before the file (field order matters: send phase and task before file, or in the query)',
      );
      // phase and task after the file: refused before a byte of it is kept, saying that the order matters.
      const fileFirst = await call('POST', '/api/submissions', { token: tokens.cy, form: { file, phase: 'dev', task: 'bbox', name: 'method' } });
      assert.equal(fileFirst.status, 400);
      assert.match(await errorOf(fileFirst), /^phase: .* before the file \(field order matters: send phase and task before file, or in the query\)$/);
      const taskAfter = await call('POST', '/api/submissions', { token: tokens.cy, form: { phase: 'dev', file, task: 'bbox', name: 'method' } });
      assert.match(await errorOf(taskAfter), /^task: expected one of bbox, .* before the file \(field order matters/);
      assert.match(await errorOf(await submit('cy', { phase: 'dev', task: 'keypoints' })), /^task: phase dev has bbox, segm, retrieval, not keypoints$/);
      const early = await submit('cy', { phase: 'test', task: 'bbox' });
      assert.equal(early.status, 403);
      assert.equal(await errorOf(early), 'phase test opens at 2027-06-01T00:00:00.000Z and closes at 2027-06-15T00:00:00.000Z');
      // Refused before the body is read when the query names them (the body here is not even multipart).
      const byQuery = await app.request('/api/submissions?phase=test&task=bbox', {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens.cy}`, 'content-type': 'text/plain' },
        body: 'x',
      });
      assert.equal(byQuery.status, 403);
      clock.set('2027-06-20T00:00:00Z');
      assert.equal(
        await errorOf(await submit('cy', { phase: 'test', task: 'bbox' })),
        'phase test closed at 2027-06-15T00:00:00.000Z (it opened at 2027-06-01T00:00:00.000Z)',
      );
      clock.set('2027-03-10T12:00:00Z');
    });

    test('limits per team and task: per day, per month, total; 429 names the limit; failed ones do not count', async () => {
      // ann and ben are one team: their submissions share the limits.
      const first = await accepted('ann', { phase: 'dev', task: 'segm' });
      await accepted('ben', { phase: 'dev', task: 'segm' });
      const day = await submit('ann', { phase: 'dev', task: 'segm' });
      assert.equal(day.status, 429);
      assert.equal(await errorOf(day), 'limit reached: per_day = 2 submissions per team for segm in phase dev (UTC day)');
      // Checked before the body is read when the query names phase and task.
      const early = await app.request('/api/submissions?phase=dev&task=segm', {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens.ben}`, 'content-type': 'text/plain' },
        body: 'x',
      });
      assert.equal(early.status, 429);
      // A failed submission gives its place back.
      assert.equal(await server.ctx.store.claimSubmission(first, 'test'), 1);
      assert.equal(await server.ctx.store.failSubmission(first, 1, 'malformed'), true);
      await accepted('ben', { phase: 'dev', task: 'segm' });
      clock.set('2027-03-11T09:00:00Z');
      await accepted('ann', { phase: 'dev', task: 'segm' });
      const month = await submit('ann', { phase: 'dev', task: 'segm' });
      assert.equal(await errorOf(month), 'limit reached: per_month = 3 submissions per team for segm in phase dev (calendar month, UTC)');
      clock.set('2027-04-01T00:00:00Z');
      await accepted('ben', { phase: 'dev', task: 'segm' });
      const total = await submit('ben', { phase: 'dev', task: 'segm' });
      assert.equal(total.status, 429);
      assert.equal(await errorOf(total), 'limit reached: total = 4 submissions per team for segm in phase dev');
      // Another team has its own count.
      await accepted('cy', { phase: 'dev', task: 'segm' });
      clock.set('2027-03-10T12:00:00Z');
    });

    test('metadata: URLs http(s) only, the public flag; the owner edits, admins mark; others get 404', async () => {
      const bad = await submit('dee', { phase: 'dev', task: 'retrieval', paper_url: 'javascript:alert(1)' });
      assert.equal(bad.status, 400);
      assert.equal(await errorOf(bad), 'paper_url: expected an http:// or https:// address');
      assert.equal((await submit('dee', { phase: 'dev', task: 'retrieval', name: '' })).status, 400);
      const id = await accepted('dee', {
        phase: 'dev',
        task: 'retrieval',
        name: 'ResNet',
        description: 'a test',
        paper_url: 'https://arxiv.org/abs/1901.07973',
        code_url: 'http://example.org/code',
        public: 'false',
      });
      const sub = (await (await call('GET', `/api/submissions/${id}`, { token: tokens.dee })).json()) as SubmissionJson;
      assert.deepEqual(
        [sub.name, sub.description, sub.paper_url, sub.code_url, sub.public, sub.team, sub.phase],
        ['ResNet', 'a test', 'https://arxiv.org/abs/1901.07973', 'http://example.org/code', false, 'dee', 'dev'],
      );
      assert.equal((await call('GET', `/api/submissions/${id}`, { token: tokens.eve })).status, 404);
      assert.equal((await call('PATCH', `/api/submissions/${id}`, { token: tokens.eve, json: { public: true } })).status, 404);
      const patched = (await (
        await call('PATCH', `/api/submissions/${id}`, { token: tokens.dee, json: { public: true, code_url: '' } })
      ).json()) as SubmissionJson;
      assert.deepEqual([patched.public, patched.code_url], [true, null]);
      assert.equal((await call('PATCH', `/api/submissions/${id}`, { token: tokens.dee, json: { baseline: true } })).status, 403);
      assert.equal((await call('PATCH', `/api/submissions/${id}`, { token: tokens.dee, json: { code_url: 'ftp://x' } })).status, 400);
      assert.equal((await call('PATCH', `/api/submissions/${id}`, { token: tokens.admin, json: { name: 'renamed' } })).status, 403);
      const marked = (await (await call('PATCH', `/api/submissions/${id}`, { token: tokens.admin, json: { hidden: true } })).json()) as SubmissionJson;
      assert.equal(marked.hidden, true);
    });

    test('names and descriptions: control characters (NUL gave 500 on PostgreSQL) and bidi controls (spoofing) are refused with 400', async () => {
      const nul = await submit('dee', { phase: 'dev', task: 'retrieval', name: 'a\u0000b' });
      assert.equal(nul.status, 400);
      assert.match(await errorOf(nul), /^name: /);
      const id = await accepted('dee', { phase: 'dev', task: 'retrieval', name: 'plain', description: 'two\nlines\tand a tab' });
      for (const [key, value] of [
        ['name', 'a\u0000b'],
        ['name', 'a\u0007b'],
        ['name', 'line\nbreak'],
        ['name', 'evil\u202Egnp.exe'],
        ['name', '\u2066isolate\u2069'],
        ['name', 'mark\u200F'],
        ['description', 'a\u0000b'],
        ['description', 'x\u202Ey'],
      ] as const) {
        const res = await call('PATCH', `/api/submissions/${id}`, { token: tokens.dee, json: { [key]: value } });
        assert.equal(res.status, 400, JSON.stringify(value));
        assert.match(await errorOf(res), new RegExp(`^${key}: `));
      }
      const sub = (await (await call('GET', `/api/submissions/${id}`, { token: tokens.dee })).json()) as SubmissionJson;
      // (A form's line breaks arrive as CRLF.)
      assert.deepEqual([sub.name, sub.description.replace(/\r\n/g, '\n')], ['plain', 'two\nlines\tand a tab']);
    });

    test('cancel: the owner, while queued; re-run: admins, once evaluated', async () => {
      const id = await accepted('eve', { phase: 'dev', task: 'retrieval' });
      assert.equal((await call('POST', `/api/submissions/${id}/cancel`, { token: tokens.dee })).status, 404);
      assert.equal((await call('POST', `/api/submissions/${id}/rerun`, { token: tokens.admin })).status, 409);
      const cancelled = await call('POST', `/api/submissions/${id}/cancel`, { token: tokens.eve });
      assert.deepEqual(await cancelled.json(), { id, status: 'cancelled' });
      assert.equal((await call('POST', `/api/submissions/${id}/cancel`, { token: tokens.eve })).status, 409);

      const done = await accepted('eve', { phase: 'dev', task: 'retrieval' });
      await evaluate(done, 'retrieval', [0.1, 0.2, 0.3, 0.4, 0.5]);
      assert.equal((await call('POST', `/api/submissions/${done}/rerun`, { token: tokens.eve })).status, 403);
      const rerun = await call('POST', `/api/submissions/${done}/rerun`, { token: tokens.admin });
      assert.equal(rerun.status, 202);
      const after = (await (await call('GET', `/api/submissions/${done}`, { token: tokens.eve })).json()) as SubmissionJson;
      assert.deepEqual([after.status, after.stats, after.attempts], ['queued', null, 0]);
      assert.equal((await call('POST', `/api/submissions/${done}/cancel`, { token: tokens.eve })).status, 200, 'queued again: its owner may cancel it');
    });

    test('leaderboard: one row per team by best, ties share a rank, order_by another figure, paging, baselines unranked', async () => {
      const board = async (query: string, token?: string) => (await (await call('GET', `/api/leaderboard?${query}`, { token })).json()) as LeaderboardJson;
      // Lab (ann, ben): best AP 0.5; cy: 0.5 (a tie); dee: 0.3 but the best AP50; eve: private; admin: a baseline.
      const plan: [string, number, number, Record<string, string>][] = [
        ['ann', 0.4, 0.6, {}],
        ['ben', 0.5, 0.55, {}],
        ['cy', 0.5, 0.52, {}],
        ['dee', 0.3, 0.9, {}],
        ['eve', 0.9, 0.95, { public: 'false' }],
        ['admin', 0.7, 0.7, {}],
      ];
      const ids: Record<string, number> = {};
      for (const [who, ap, ap50, extra] of plan) {
        ids[who] = await accepted(who, { phase: 'dev', task: 'bbox', name: `${who} model`, ...extra });
        await evaluate(ids[who]!, 'bbox', bboxStats(ap, ap50));
      }
      await call('PATCH', `/api/submissions/${ids.admin}`, { token: tokens.admin, json: { baseline: true } });
      const byAp = await board('phase=dev&task=bbox');
      assert.equal(byAp.order_by, 'AP');
      assert.deepEqual(
        byAp.entries.map((e) => [e.rank, e.team, e.name, e.baseline]),
        [
          [1, 'Lab', 'ben model', false],
          [1, 'cy', 'cy model', false],
          [3, 'dee', 'dee model', false],
          [null, 'admin', 'admin model', true],
        ],
      );
      assert.equal(byAp.total, 4);
      assert.deepEqual(byAp.entries[0]!.stats, Object.fromEntries(statNames('bbox').map((n, k) => [n, bboxStats(0.5, 0.55)[k]])));
      const byAp50 = await board('phase=dev&task=bbox&order_by=AP50');
      assert.deepEqual(
        byAp50.entries.map((e) => [e.rank, e.team]),
        [
          [1, 'dee'],
          [2, 'Lab'],
          [3, 'cy'],
          [null, 'admin'],
        ],
      );
      const page2 = await board('phase=dev&task=bbox&order_by=AP50&per_page=2&page=2');
      assert.deepEqual([page2.total, page2.page, page2.entries.map((e) => e.team)], [4, 2, ['cy', 'admin']]);
      assert.equal((await call('GET', '/api/leaderboard?phase=dev&task=bbox&order_by=DROP%20TABLE')).status, 400);
      // The private submission stands for admins who ask for all.
      const all = await board('phase=dev&task=bbox&all=1', tokens.admin);
      assert.equal(all.entries[0]!.team, 'eve');
    });

    test('CSV and JSON downloads carry every figure of every row', async () => {
      const csv = await call('GET', '/api/leaderboard.csv?phase=dev&task=bbox&order_by=AP50');
      assert.equal(csv.headers.get('content-type'), 'text/csv; charset=utf-8');
      assert.match(csv.headers.get('content-disposition') ?? '', /attachment; filename="leaderboard-dev-bbox.csv"/);
      const lines = (await csv.text()).trimEnd().split('\r\n');
      assert.equal(
        lines[0],
        ['rank', 'team', 'user', 'name', 'submission_id', 'baseline', 'created_at', 'description', 'paper_url', 'code_url', ...statNames('bbox')].join(','),
      );
      assert.equal(lines.length, 5);
      const dee = lines[1]!.split(',');
      assert.deepEqual(dee.slice(0, 4), ['1', 'dee', 'dee', 'dee model']);
      assert.deepEqual(dee.slice(10).map(Number), bboxStats(0.3, 0.9));
      assert.equal(lines[4]!.split(',')[0], '', 'the baseline has no rank');
      const json = (await (await call('GET', '/api/leaderboard.json?phase=dev&task=bbox')).json()) as LeaderboardJson;
      assert.deepEqual(
        json.entries.map((e) => e.team),
        ['Lab', 'cy', 'dee', 'admin'],
      );
      // The download is the paged route's JSON with every row on one page.
      const paged = (await (await call('GET', '/api/leaderboard?phase=dev&task=bbox&per_page=100')).json()) as LeaderboardJson;
      assert.deepEqual({ ...json, per_page: 100 }, paged);
      assert.deepEqual([json.total, json.page, json.per_page], [4, 1, 4]);
    });

    test('latest rule, private board (404 to all but admins) and figures hidden until the end (admins see them)', async () => {
      clock.set('2027-06-05T00:00:00Z');
      const first = await accepted('cy', { phase: 'test', task: 'bbox', name: 'first' });
      const second = await accepted('cy', { phase: 'test', task: 'bbox', name: 'second' });
      await evaluate(first, 'bbox', bboxStats(0.8, 0.8));
      await evaluate(second, 'bbox', bboxStats(0.2, 0.2));
      const mine = (await (await call('GET', `/api/submissions/${first}`, { token: tokens.cy })).json()) as SubmissionJson;
      assert.deepEqual([mine.status, mine.stats, mine.result, mine.figures_hidden_until], ['done', null, null, '2027-06-15T00:00:00.000Z']);
      const list = (await (await call('GET', '/api/submissions', { token: tokens.cy })).json()) as SubmissionJson[];
      assert.ok(list.filter((s) => s.phase === 'test').every((s) => s.stats === null && s.result === null));
      assert.equal((await call('GET', `/api/submissions/${first}/report`, { token: tokens.cy })).status, 404);
      const admin = (await (await call('GET', `/api/submissions/${first}`, { token: tokens.admin })).json()) as SubmissionJson;
      assert.deepEqual(admin.stats, bboxStats(0.8, 0.8));
      assert.equal((await call('GET', '/api/leaderboard?phase=test&task=bbox')).status, 404);
      assert.equal((await call('GET', '/api/leaderboard?phase=test&task=bbox', { token: tokens.cy })).status, 404);
      assert.equal((await call('GET', '/api/leaderboard.csv?phase=test&task=bbox', { token: tokens.cy })).status, 404);
      const board = (await (await call('GET', '/api/leaderboard?phase=test&task=bbox', { token: tokens.admin })).json()) as LeaderboardJson;
      // latest: cy's second submission stands, though the first scored higher.
      assert.deepEqual(
        board.entries.map((e) => [e.rank, e.name]),
        [[1, 'second']],
      );
      clock.set('2027-06-16T00:00:00Z');
      const ended = (await (await call('GET', `/api/submissions/${first}`, { token: tokens.cy })).json()) as SubmissionJson;
      assert.deepEqual([ended.stats, ended.figures_hidden_until], [bboxStats(0.8, 0.8), null]);
      clock.set('2027-03-10T12:00:00Z');
    });

    test("per_category_ap entries are df2 eval --json's {category_id, ap}, also for a result stored in the former {categoryId, ap}", async () => {
      tokens.fay = await addUser(server, 'fay');
      const stored = async (perCategoryAp: unknown[]): Promise<number> => {
        const id = await accepted('fay', { phase: 'dev', task: 'segm', name: `stored ${perCategoryAp.length}` });
        const attempt = (await server.ctx.store.claimSubmission(id, 'test'))!;
        const result = { task: 'segm', stats: bboxStats(0.3, 0.3), statNames: statNames('segm'), seconds: 0.1, perCategoryAp };
        assert.equal(await server.ctx.store.finishSubmission(id, attempt, result as Parameters<typeof server.ctx.store.finishSubmission>[2]), true);
        return id;
      };
      const before = await stored([
        { categoryId: 1, ap: 0.25 },
        { categoryId: 2, ap: -1 },
      ]);
      const now = await stored([{ category_id: 1, ap: 0.5 }]);
      const own = async (id: number): Promise<unknown> =>
        ((await (await call('GET', `/api/submissions/${id}`, { token: tokens.fay })).json()) as SubmissionJson).result!.perCategoryAp;
      assert.deepEqual(await own(before), [
        { category_id: 1, ap: 0.25 },
        { category_id: 2, ap: -1 },
      ]);
      assert.deepEqual(await own(now), [{ category_id: 1, ap: 0.5 }]);
      const board = (await (await call('GET', '/api/leaderboard.json?phase=dev&task=segm')).json()) as LeaderboardJson;
      const row = board.entries.find((e) => e.team === 'fay')!;
      // Equal AP: the earlier submission, stored in the former shape, stands for fay.
      assert.equal(row.submission_id, before);
      assert.deepEqual(row.per_category_ap, [
        { category_id: 1, ap: 0.25 },
        { category_id: 2, ap: -1 },
      ]);
    });

    test("each field's refusal: the same status and line from the upload form and from PATCH, and nothing changed", async () => {
      clock.set('2027-05-20T12:00:00Z');
      tokens.gil = await addUser(server, 'gil');
      const long = (n: number): string => 'x'.repeat(n);
      const control = 'expected text without control characters';
      // [field, value, line]: each refused by both routes (the form sends text; JSON may send any value).
      const refusals: [string, string, string][] = [
        ['name', '', 'name: expected 1-80 characters'],
        ['name', '   ', 'name: expected 1-80 characters'],
        ['name', long(81), 'name: expected 1-80 characters'],
        ['name', 'tab\there', `name: ${control} or bidirectional marks`],
        ['description', long(2001), 'description: expected 0-2000 characters'],
        ['description', 'bell\u0007', `description: ${control} (but tabs and line breaks) or bidirectional marks`],
        ['paper_url', 'ftp://example.org/paper', 'paper_url: expected an http:// or https:// address'],
        ['paper_url', 'not an address', 'paper_url: expected an http:// or https:// address'],
        ['paper_url', `https://example.org/${long(490)}`, 'paper_url: expected 0-500 characters'],
        ['code_url', 'javascript:alert(1)', 'code_url: expected an http:// or https:// address'],
        ['code_url', 'mark\u200Fhttps://example.org', `code_url: ${control} or bidirectional marks`],
        ['public', 'maybe', 'public: expected true or false'],
      ];
      for (const [field, value, line] of refusals) {
        const res = await submit('gil', { phase: 'dev', task: 'bbox', [field]: value });
        assert.deepEqual([res.status, await errorOf(res)], [400, line], `upload ${field}=${JSON.stringify(value)}`);
      }
      // A form without a name (it answered 500: the store's NOT NULL) is refused like an empty one.
      const unnamed = await call('POST', '/api/submissions', { token: tokens.gil, form: { phase: 'dev', task: 'bbox', file } });
      assert.deepEqual([unnamed.status, await errorOf(unnamed)], [400, 'name: expected 1-80 characters']);
      const refusedMine = (await (await call('GET', '/api/submissions', { token: tokens.gil })).json()) as SubmissionJson[];
      assert.equal(refusedMine.length, 0, 'a refused upload keeps no submission');

      const id = await accepted('gil', {
        phase: 'dev',
        task: 'bbox',
        name: '  padded  ',
        paper_url: 'HTTPS://Example.org/a b',
        public: 'on',
      });
      const path = `/api/submissions/${id}`;
      const read = async (): Promise<SubmissionJson> => (await (await call('GET', path, { token: tokens.gil })).json()) as SubmissionJson;
      const kept = await read();
      assert.deepEqual([kept.name, kept.description, kept.paper_url, kept.code_url, kept.public], ['padded', '', 'https://example.org/a%20b', null, true]);
      const patch = (json: unknown, token = tokens.gil) => call('PATCH', path, { token, json });
      const jsonOnly: [string, unknown, string][] = [
        ['name', 5, 'name: expected 1-80 characters'],
        ['name', null, 'name: expected 1-80 characters'],
        ['description', ['a'], 'description: expected 0-2000 characters'],
        ['paper_url', null, 'paper_url: expected 0-500 characters'],
        ['public', 1, 'public: expected true or false'],
        ['public', null, 'public: expected true or false'],
      ];
      for (const [field, value, line] of [...refusals, ...jsonOnly]) {
        const res = await patch({ [field]: value });
        assert.deepEqual([res.status, await errorOf(res)], [400, line], `PATCH ${field}=${JSON.stringify(value)}`);
      }
      // The marks: an admin's, refused to the owner before their value is read; a bad value refused to an admin.
      for (const mark of ['baseline', 'hidden']) {
        const owner = await patch({ [mark]: 'maybe' });
        assert.deepEqual([owner.status, await errorOf(owner)], [403, `${mark}: only admins may change it`]);
        const admin = await patch({ [mark]: 'maybe' }, tokens.admin);
        assert.deepEqual([admin.status, await errorOf(admin)], [400, `${mark}: expected true or false`]);
      }
      const unknown = await patch({ file_name: 'x.json' });
      assert.deepEqual([unknown.status, await errorOf(unknown)], [400, 'file_name: expected one of public, name, description, paper_url, code_url']);
      const words = await patch({ description: 'by an admin' }, tokens.admin);
      assert.deepEqual([words.status, await errorOf(words)], [403, 'only the owner changes the metadata']);
      // One bad field refuses the whole patch: the good one beside it is not applied either.
      assert.equal((await patch({ name: 'changed', public: 'maybe' })).status, 400);
      assert.deepEqual(await read(), kept, 'no refused PATCH changed anything');

      // Accepted spellings: a form's flags, JSON booleans, an empty address as none, text trimmed.
      const changed = (await (await patch({ name: ' renamed ', description: 'two\nlines', public: false, paper_url: '' })).json()) as SubmissionJson;
      assert.deepEqual([changed.name, changed.description, changed.paper_url, changed.public], ['renamed', 'two\nlines', null, false]);
      const marked = (await (await patch({ baseline: 'true', hidden: '1' }, tokens.admin)).json()) as SubmissionJson;
      assert.deepEqual([marked.baseline, marked.hidden, marked.name], [true, true, 'renamed']);
      const revealed = (await (await patch({ hidden: false, baseline: '0' }, tokens.admin)).json()) as SubmissionJson;
      assert.deepEqual([revealed.baseline, revealed.hidden], [false, false]);
      clock.set('2027-03-10T12:00:00Z');
    });
  });
