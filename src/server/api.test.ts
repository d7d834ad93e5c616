import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { goldenPath } from '../testing/paths.js';
import type { RunningServer } from './server.js';
import { addUser, GOLDEN_SPLIT, goldenGtDir, startTestServer, upload, waitForSubmission } from './test-support.js';
import { TEST_BACKENDS } from './test-backends.js';
import type { HealthJson } from '../shared/api-types.js';

interface RawItem {
  category_id: number;
  occlusion: number;
  style: number;
}
/** The split's annotations read directly, to check the server's answers against. */
async function readAnnotations(): Promise<Map<number, { source: string; pair_id: number; items: RawItem[] }>> {
  const out = new Map<number, { source: string; pair_id: number; items: RawItem[] }>();
  for (const name of await readdir(join(GOLDEN_SPLIT, 'annos'))) {
    const json = JSON.parse(await readFile(join(GOLDEN_SPLIT, 'annos', name), 'utf8')) as Record<string, unknown>;
    const items = Object.keys(json)
      .filter((k) => /^item\d+$/.test(k))
      .map((k) => json[k] as RawItem);
    out.set(Number(name.slice(0, 6)), { source: json.source as string, pair_id: json.pair_id as number, items });
  }
  return out;
}

const golden = JSON.parse(await readFile(goldenPath('basic', 'golden.json'), 'utf8')) as {
  retrieval: { top1: number; top5: number; top10: number; top15: number; top20: number; queries: number; missed: number };
};
const goldenRetrieval = [golden.retrieval.top1, golden.retrieval.top5, golden.retrieval.top10, golden.retrieval.top15, golden.retrieval.top20];
const retrievalResults = () => readFile(goldenPath('basic', 'retrieval', 'results.json'));

// One suite, run against each backend: the routes must not tell them apart.
for (const backend of TEST_BACKENDS)
  describe(`df2 serve API (${backend.name})`, { skip: backend.skip }, () => {
    let server: RunningServer;
    let database: Awaited<ReturnType<typeof backend.create>>;
    let alice: string;
    let bob: string;
    let annotations: Awaited<ReturnType<typeof readAnnotations>>;
    const get = (path: string, token?: string) => fetch(`${server.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    /** Posts a form as a chunked body (no Content-Length), 64 KiB at a time; `cutAfter` bytes: the client goes away there. */
    /**
     * Posts a multipart body in chunks with no length (chunked transfer), through node:http so that a
     * server that answers early and closes is seen as its answer (fetch on Node 24 reports the write
     * it could not finish as an unhandled error). `cutAfter`: the client goes away after that many bytes.
     */
    const postChunked = async (form: FormData, token: string, cutAfter?: number): Promise<{ status: number } | Error> => {
      const encoded = new Request('http://localhost/', { method: 'POST', body: form });
      const bytes = new Uint8Array(await encoded.arrayBuffer());
      const end = cutAfter ?? bytes.length;
      return new Promise((resolve) => {
        const req = httpRequest(`${server.url}/api/submissions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': encoded.headers.get('content-type')!, 'transfer-encoding': 'chunked' },
        });
        req.on('response', (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
          res.on('error', (err) => resolve(err));
          req.destroy();
        });
        req.on('error', (err) => resolve(err));
        let at = 0;
        const writeMore = (): void => {
          while (at < end && !req.destroyed) {
            const chunk = bytes.subarray(at, Math.min(end, at + 64 * 1024));
            at += chunk.length;
            if (!req.write(chunk)) return void req.once('drain', writeMore);
          }
          if (req.destroyed) return;
          if (cutAfter === undefined) req.end();
          else setTimeout(() => req.destroy(new Error('client gone')), 50);
        };
        writeMore();
      });
    };

    before(async () => {
      database = await backend.create();
      server = await startTestServer({ db: database.db, gtDir: await goldenGtDir(), quota: 3, maxUploadBytes: 4 * 1024 * 1024 });
      alice = await addUser(server, 'alice');
      bob = await addUser(server, 'bob');
      annotations = await readAnnotations();
    });
    after(async () => {
      await server.close();
      await database.drop();
    });

    test('health names the store, counts the queue and lists this process as the one worker', async () => {
      const res = await get('/api/health');
      assert.equal(res.status, 200);
      const health = (await res.json()) as HealthJson;
      assert.equal(health.ok, true);
      assert.equal(health.store, backend.name);
      assert.deepEqual(health.queue, { queued: 0, running: 0 });
      assert.equal(health.workers.length, 1);
      assert.equal(health.workers[0]!.pid, process.pid);
      assert.ok(Date.now() - Date.parse(health.workers[0]!.seen_at) < 60_000);
    });

    test('the split is indexed with every image and item', async () => {
      const splits = (await (await get('/api/splits')).json()) as { name: string; images: number; items: number; bad_files: number }[];
      assert.equal(splits.length, 1);
      assert.equal(splits[0]!.images, annotations.size);
      assert.equal(
        splits[0]!.items,
        [...annotations.values()].reduce((n, a) => n + a.items.length, 0),
      );
      assert.equal(splits[0]!.bad_files, 0);
    });

    test('images filtered by category and occlusion (one and the same item), with facet counts', async () => {
      const expected = [...annotations]
        .filter(([, a]) => a.items.some((i) => i.category_id === 1 && i.occlusion === 2))
        .map(([id]) => id)
        .sort((a, b) => a - b);
      assert.ok(expected.length > 2, 'fixture has matching images');
      const res = await get(`/api/images?split=dataset&category=1&occlusion=2&per_page=200`);
      assert.equal(res.status, 200);
      const page = (await res.json()) as { total: number; images: { id: number; items: { category_id: number; occlusion: number }[] }[] };
      assert.equal(page.total, expected.length);
      assert.deepEqual(
        page.images.map((i) => i.id),
        expected,
      );
      for (const img of page.images) assert.ok(img.items.some((i) => i.category_id === 1 && i.occlusion === 2));

      const facets = (await (await get('/api/facets?split=dataset&category=1&occlusion=2')).json()) as Record<string, Record<string, number>>;
      // The category facet counts under the occlusion filter alone.
      const withOcclusion2AndCat = (c: number) => [...annotations.values()].filter((a) => a.items.some((i) => i.category_id === c && i.occlusion === 2)).length;
      assert.equal(facets.category!['1'], expected.length);
      assert.equal(facets.category!['2'] ?? 0, withOcclusion2AndCat(2));
      const users = [...annotations].filter(([id, a]) => expected.includes(id) && a.source === 'user').length;
      assert.equal(facets.source!.user ?? 0, users);
    });

    test('paging and image-level filters', async () => {
      const shop = [...annotations]
        .filter(([, a]) => a.source === 'shop')
        .map(([id]) => id)
        .sort((a, b) => a - b);
      const p2 = (await (await get('/api/images?split=dataset&source=shop&per_page=10&page=2')).json()) as { total: number; images: { id: number }[] };
      assert.equal(p2.total, shop.length);
      assert.deepEqual(
        p2.images.map((i) => i.id),
        shop.slice(10, 20),
      );
      const pair = (await (await get('/api/images?split=dataset&pair_id=3&style=positive')).json()) as { images: { id: number; pair_id: number }[] };
      assert.ok(pair.images.length > 0);
      for (const img of pair.images) assert.equal(img.pair_id, 3);
    });

    test('bad filter values are refused with the parameter named', async () => {
      const res = await get('/api/images?split=dataset&occlusion=7');
      assert.equal(res.status, 400);
      assert.match(((await res.json()) as { error: string }).error, /^occlusion: expected integers 1\.\.3, found 7/);
    });

    test('one image, its JPEG and a cached thumbnail', async () => {
      const img = (await (await get('/api/images/dataset/7')).json()) as { id: number; items: unknown[]; width: number };
      assert.equal(img.id, 7);
      assert.equal(img.items.length, annotations.get(7)!.items.length);
      const jpeg = await get('/api/images/dataset/7/image');
      assert.equal(jpeg.headers.get('content-type'), 'image/jpeg');
      const bytes = new Uint8Array(await jpeg.arrayBuffer());
      assert.deepEqual([...bytes.slice(0, 2)], [0xff, 0xd8]);
      const thumb = new Uint8Array(await (await get('/api/images/dataset/7/image?w=200')).arrayBuffer());
      assert.deepEqual([...thumb.slice(0, 2)], [0xff, 0xd8]);
      assert.ok(thumb.length < bytes.length);
      const again = new Uint8Array(await (await get('/api/images/dataset/7/image?w=200')).arrayBuffer());
      assert.deepEqual(again, thumb);
    });

    test('pair page data links consumer and shop items of the same style', async () => {
      const pair = (await (await get('/api/pairs/dataset/3')).json()) as {
        images: { id: number; source: string }[];
        links: { style: number; user: { image: number }; shop: { image: number } }[];
      };
      assert.ok(pair.links.length > 0);
      for (const link of pair.links) {
        assert.ok(link.style > 0);
        assert.equal(pair.images.find((i) => i.id === link.user.image)!.source, 'user');
        assert.equal(pair.images.find((i) => i.id === link.shop.image)!.source, 'shop');
      }
    });

    test('path traversal in parameters is refused', async () => {
      for (const path of [
        '/api/images/..%2F..%2Fetc/1/image',
        '/api/images?split=..%2F..%2Fetc',
        '/api/images/dataset/..%2F..%2Fpasswd',
        '/api/images/dataset/1%2F..%2F..%2Fx/image',
        '/api/stats/..',
        '/api/splits/..%2F/bad-files',
        '/app/..%2F..%2Fpackage.json',
        '/app/%2e%2e%2fserver%2fapp.js',
        '/api/images/dataset/7/image?w=..%2F1',
      ]) {
        const res = await get(path);
        assert.ok([400, 404].includes(res.status), `${path} -> ${res.status}`);
        const text = await res.text();
        assert.ok(!text.includes('"name": "df2"') && !text.includes('createApp'), `${path} leaked a file`);
      }
    });

    test('submissions need a valid token (401)', async () => {
      const file = { name: 'r.json', content: '[]' };
      assert.equal((await upload(server, undefined, { task: 'retrieval', name: 'x', file })).status, 401);
      assert.equal((await upload(server, 'df2_not-a-token', { task: 'retrieval', name: 'x', file })).status, 401);
      assert.equal((await get('/api/submissions/1')).status, 401);
    });

    test('a retrieval submission is evaluated with the official figures and ranked', async () => {
      const res = await upload(server, alice, { task: 'retrieval', name: 'golden model', file: { name: 'results.json', content: await retrievalResults() } });
      assert.equal(res.status, 202);
      const { id } = (await res.json()) as { id: number };
      const sub = await waitForSubmission(server, alice, id);
      assert.equal(sub.status, 'done', String(sub.error));
      const stats = sub.stats as number[];
      stats.forEach((v, k) => assert.ok(Math.abs(v - goldenRetrieval[k]!) < 1e-12, `top-k ${k}: ${v} vs ${goldenRetrieval[k]}`));
      const result = sub.result as { queries: number; missed: number; subsets: Record<string, Record<string, number[]>> };
      assert.equal(result.queries, golden.retrieval.queries);
      assert.equal(result.missed, golden.retrieval.missed);
      const subsets = JSON.parse(await readFile(goldenPath('basic', 'subsets.json'), 'utf8')) as {
        retrieval: Record<string, Record<string, Record<string, number>>>;
      };
      for (const [attr, perValue] of Object.entries(subsets.retrieval)) {
        for (const [value, fig] of Object.entries(perValue)) {
          assert.ok(Math.abs(result.subsets[attr]![value]![4]! - fig.top20!) < 1e-12, `${attr}=${value}`);
        }
      }
      // Only its owner sees the details.
      assert.equal((await get(`/api/submissions/${id}`, bob)).status, 404);
      const board = (await (await get('/api/leaderboard?task=retrieval')).json()) as {
        stat_names: string[];
        entries: { rank: number; submission_id: number; stats: Record<string, number> }[];
      };
      assert.equal(board.entries[0]!.submission_id, id);
      assert.deepEqual(
        board.stat_names.map((n) => board.entries[0]!.stats[n]),
        stats,
      );
    });

    test('a bbox submission gets the official figures, per category and per attribute', async () => {
      const goldenAll = JSON.parse(await readFile(goldenPath('basic', 'golden.json'), 'utf8')) as Record<
        string,
        { stats: number[]; per_category_ap: { category_id: number; ap: number }[] }
      >;
      const subsets = JSON.parse(await readFile(goldenPath('basic', 'subsets.json'), 'utf8')) as Record<string, Record<string, Record<string, number[]>>>;
      const res = await upload(server, alice, {
        task: 'bbox',
        name: 'boxes',
        file: { name: 'bbox_results.json', content: await readFile(goldenPath('basic', 'results', 'bbox_results.json')) },
      });
      assert.equal(res.status, 202);
      const sub = await waitForSubmission(server, alice, ((await res.json()) as { id: number }).id);
      assert.equal(sub.status, 'done', String(sub.error));
      const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-9, `${what}: ${a} vs ${b}`);
      (sub.stats as number[]).forEach((v, k) => close(v, goldenAll.bbox!.stats[k]!, `stats[${k}]`));
      const result = sub.result as { perCategoryAp: { category_id: number; ap: number }[]; subsets: Record<string, Record<string, number[]>> };
      for (const c of goldenAll.bbox!.per_category_ap)
        close(result.perCategoryAp.find((p) => p.category_id === c.category_id)!.ap, c.ap, `category ${c.category_id}`);
      for (const [attr, perValue] of Object.entries(subsets.bbox!)) {
        for (const [value, figs] of Object.entries(perValue)) figs.forEach((f, k) => close(result.subsets[attr]![value]![k]!, f, `${attr}=${value}[${k}]`));
      }
      // The report of `df2 report` follows the figures; only its owner gets it.
      await server.ctx.queue.idle();
      const report = await get(`/api/submissions/${sub.id}/report`, alice);
      assert.equal(report.status, 200);
      assert.match(await report.text(), /<html[\s\S]*0\.44/);
      assert.equal((await get(`/api/submissions/${sub.id}/report`, bob)).status, 404);
    });

    test('a malformed results file fails with the validation message naming the uploaded file', async () => {
      const res = await upload(server, bob, {
        task: 'retrieval',
        name: 'broken',
        file: { name: 'bad-results.json', content: '[{"query_image_id": "seven"}]' },
      });
      assert.equal(res.status, 202);
      const { id } = (await res.json()) as { id: number };
      const sub = await waitForSubmission(server, bob, id);
      assert.equal(sub.status, 'failed');
      assert.match(String(sub.error), /^bad-results\.json: \[0\]/);
      assert.match(String(sub.error), /expected/);
      assert.ok(!String(sub.error).includes(server.ctx.settings.uploadsDir), 'no server path in the message');

      const truncated = await upload(server, bob, { task: 'retrieval', name: 'cut', file: { name: 'cut.json', content: '[{"query_image_id": 1,' } });
      const cut = await waitForSubmission(server, bob, ((await truncated.json()) as { id: number }).id);
      assert.equal(cut.status, 'failed');
      assert.match(String(cut.error), /^cut\.json: /);
    });

    test('bad fields are refused at once', async () => {
      const file = { name: 'r.json', content: '[]' };
      const noTask = await upload(server, bob, { task: 'detection', name: 'x', file });
      assert.equal(noTask.status, 400);
      assert.match(((await noTask.json()) as { error: string }).error, /^task: expected one of bbox/);
      assert.equal((await upload(server, bob, { task: 'retrieval', name: '', file })).status, 400);
      assert.equal((await upload(server, bob, { task: 'retrieval', name: 'no file' })).status, 400);
    });

    test('the per-day limit (--quota) answers 429 past N submissions per task and day', async () => {
      const carol = await addUser(server, 'carol');
      const file = { name: 'r.json', content: '[]' };
      // The quota counts accepted submissions, evaluated or not: no need to evaluate these.
      await server.ctx.queue.stop();
      for (let k = 0; k < 3; k++) assert.equal((await upload(server, carol, { task: 'bbox', name: `try ${k}`, file })).status, 202);
      const over = await upload(server, carol, { task: 'bbox', name: 'one more', file });
      assert.equal(over.status, 429);
      assert.equal(((await over.json()) as { error: string }).error, 'limit reached: per_day = 3 submissions per team for bbox in phase dev (UTC day)');
      // Refused before the body is read when the task is in the query.
      const early = await fetch(`${server.url}/api/submissions?task=bbox`, {
        method: 'POST',
        headers: { authorization: `Bearer ${carol}`, 'content-type': 'multipart/form-data; boundary=x' },
        body: 'x',
      });
      assert.equal(early.status, 429);
      // Another task has its own count.
      assert.equal((await upload(server, carol, { task: 'segm', name: 'other task', file })).status, 202);
    });

    test('uploads over the limit are refused with 413, by Content-Length and by counting', async () => {
      const big = new Uint8Array(5 * 1024 * 1024).fill(0x20);
      const declared = await upload(server, bob, { task: 'retrieval', name: 'big', file: { name: 'big.json', content: big } });
      assert.equal(declared.status, 413);
      // No Content-Length (chunked): the server counts the bytes as they come.
      const f = new FormData();
      f.set('task', 'retrieval');
      f.set('name', 'big');
      f.set('file', new Blob([big]), 'big.json');
      const counted = await postChunked(f, bob);
      if (counted instanceof Error) assert.match(counted.message, /socket|reset|EPIPE/i);
      else assert.equal(counted.status, 413);
      const subs = (await (await get('/api/submissions', bob)).json()) as { name: string }[];
      assert.ok(!subs.some((s) => s.name === 'big'), 'nothing recorded');
    });

    test('a chunked body over the limit is refused with 413 even when its big part is not the file', async () => {
      const f = new FormData();
      f.set('task', 'retrieval');
      f.set('name', 'padded');
      f.set('padding', new Blob([new Uint8Array(5 * 1024 * 1024).fill(0x20)]), 'padding.bin');
      f.set('file', new Blob(['[]']), 'results.json');
      const res = await postChunked(f, bob);
      if (res instanceof Error) assert.match(res.message, /socket|reset|EPIPE/i);
      else assert.equal(res.status, 413);
      const subs = (await (await get('/api/submissions', bob)).json()) as { name: string }[];
      assert.ok(!subs.some((s) => s.name === 'padded'), 'nothing recorded');
    });

    test('an upload cut off in a part other than the file leaves the server running', async () => {
      const f = new FormData();
      f.set('task', 'retrieval');
      f.set('padding', new Blob([new Uint8Array(1024 * 1024).fill(0x20)]), 'padding.bin');
      f.set('file', new Blob(['[]']), 'results.json');
      // Half of the padding, then the client goes away.
      await postChunked(f, bob, 512 * 1024);
      await new Promise((r) => setTimeout(r, 100));
      assert.equal((await fetch(`${server.url}/api/health`)).status, 200);
    });
  });
