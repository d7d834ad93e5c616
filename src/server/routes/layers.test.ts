/**
 * Layers through app.request(): the golden fixture's results files opened
 * with --results and as a submission. Per-image counts equal the fixture's
 * per_image figures (errors.json, from the official matching), sum to the
 * matcher's totals, and the layer's figures are golden.json's; filters and
 * sorts by errors; keypoints landmarks marked as the landmark error analysis
 * marks them (kp-errors.json's counts), filtered by kind; retrieval explained per query, aggregated to the golden
 * top-k; submission layers only for their owner and admins.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Hono } from 'hono';
import { goldenPath, tempDir } from '../../testing/paths.js';
import { createApp } from '../app.js';
import type { RunningServer } from '../server.js';
import { startServer } from '../server.js';
import { addUser, GOLDEN_SPLIT, goldenGtDir, startTestServer, TestClock, upload, waitForSubmission } from '../test-support.js';
import type { Challenge } from '../challenge/config.js';
import type { SubmissionJson } from '../../shared/api-types.js';
import { InputError } from '../../util/errors.js';
import { keypointErrorAnalysis, loadCocoPair } from '../../eval/index.js';
import { topKAccuracy } from '../../eval/internal.js';
import type { LayerImageJson, LayerImagePageJson, LayerJson, LayerSummaryJson, RetrievalExplainedJson, TallyJson } from '../../shared/layer-types.js';

type KindCounts = Record<'good' | 'jitter' | 'inversion' | 'swap' | 'miss', number>;
type PerImage = { image_id: number; tp: number; fp: number; fn: number }[];
const readJson = async <T>(...parts: string[]): Promise<T> => JSON.parse(await readFile(goldenPath('basic', ...parts), 'utf8')) as T;
const errorsJson =
  await readJson<Record<'bbox' | 'segm' | 'keypoints', { per_image: PerImage; confusion?: { labels: (number | string)[]; matrix: number[][] } }>>(
    'errors.json',
  );
const golden =
  await readJson<
    Record<string, { stats?: number[]; top1?: number; top5?: number; top10?: number; top15?: number; top20?: number; queries?: number; missed?: number }>
  >('golden.json');
const kpErrors = await readJson<{ counts: { overall: KindCounts }; per_detection: { id: number; image_id: number; counts: KindCounts }[] }>('kp-errors.json');
const RESULTS = {
  bbox: goldenPath('basic', 'results', 'bbox_results.json'),
  segm: goldenPath('basic', 'results', 'segm_results.json'),
  keypoints: goldenPath('basic', 'results', 'keypoints_results.json'),
  ret: goldenPath('basic', 'retrieval', 'results.json'),
};

describe('explorer layers', () => {
  let server: RunningServer;
  let app: Hono;
  let alice: string, bob: string, admin: string;
  let submissionId: number;
  const get = async <T>(path: string, token?: string): Promise<{ status: number; body: T }> => {
    const res = await app.request(path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    return { status: res.status, body: (await res.json()) as T };
  };
  const allImages = async (layer: string, query = '', token?: string): Promise<LayerImagePageJson['images']> => {
    const out: LayerImagePageJson['images'] = [];
    for (let page = 1; ; page++) {
      const { status, body } = await get<LayerImagePageJson>(`/api/layers/${layer}/images?split=dataset&per_page=50&page=${page}${query}`, token);
      assert.equal(status, 200, JSON.stringify(body));
      out.push(...body.images);
      if (page * 50 >= body.total) return out;
    }
  };

  before(async () => {
    server = await startTestServer({
      gtDir: await goldenGtDir(),
      results: Object.entries(RESULTS).map(([name, file]) => ({ name, file })),
    });
    app = createApp(server.ctx);
    alice = await addUser(server, 'alice');
    bob = await addUser(server, 'bob');
    admin = await addUser(server, 'root', true);
    const res = await upload(server, alice, { task: 'bbox', name: 'alice bbox', file: { name: 'bbox.json', content: await readFile(RESULTS.bbox) } });
    submissionId = ((await res.json()) as { id: number }).id;
    assert.equal((await waitForSubmission(server, alice, submissionId)).status, 'done');
  });
  after(async () => {
    await server?.close();
  });

  test('results files are listed as layers with the task of their records', async () => {
    const { body } = await get<LayerJson[]>('/api/layers');
    assert.deepEqual(
      body.map((l) => [l.id, l.task]),
      [
        ['file-bbox', 'bbox'],
        ['file-segm', 'segm'],
        ['file-keypoints', 'keypoints'],
        ['file-ret', 'retrieval'],
      ],
    );
  });

  for (const task of ['bbox', 'segm', 'keypoints'] as const) {
    test(`${task}: per-image tp/fp/fn equal errors.json, sum to the totals, and the figures are golden.json's`, async () => {
      const images = await allImages(`file-${task}`);
      const expected = errorsJson[task].per_image;
      assert.equal(images.length, expected.length);
      const byId = new Map(images.map((img) => [img.id, img.layer]));
      for (const e of expected) assert.deepEqual(byId.get(e.image_id)!.tally, { tp: e.tp, fp: e.fp, fn: e.fn }, `image ${e.image_id}`);
      const { body: summary } = await get<LayerSummaryJson>(`/api/layers/file-${task}/summary?split=dataset`);
      const sum = (k: keyof TallyJson) => expected.reduce((n, e) => n + e[k], 0);
      assert.deepEqual(summary.totals, { tp: sum('tp'), fp: sum('fp'), fn: sum('fn') });
      assert.equal(summary.images_with_fp, expected.filter((e) => e.fp > 0).length);
      golden[task]!.stats!.forEach((v, k) => assert.ok(Math.abs(summary.stats[k]! - v) <= 1e-9, `stat ${k}`));
      // Every drawn verdict agrees with the counts: matched = tp, false positives = fp, missed items = fn.
      for (const img of images) {
        const l = img.layer;
        const states = (s: string) => l.predictions.filter((p) => p.state === s).length;
        assert.equal(states('matched'), l.tally.tp);
        assert.equal(states('false-positive'), l.tally.fp);
        assert.equal(Object.values(l.ground_truth).filter((s) => s === 'missed').length, l.tally.fn);
        assert.deepEqual(
          Object.keys(l.ground_truth),
          img.items.map((it) => it.key),
        );
        for (const p of l.predictions.filter((q) => q.state === 'matched')) {
          assert.equal(l.ground_truth[p.matched_item!], 'matched', `image ${img.id} prediction ${p.index}`);
          assert.equal(img.items.find((it) => it.key === p.matched_item)!.category_id, p.category_id);
          assert.ok(p.best! >= 0.5);
        }
        if (task === 'segm') assert.ok(l.predictions.every((p) => p.mask && p.mask.runs.reduce((a, b) => a + b, 0) === p.mask.size[0] * p.mask.size[1]));
        if (task === 'keypoints') assert.ok(l.predictions.every((p) => p.keypoints && p.keypoints.length % 3 === 0));
      }
    });
  }

  test('filter and sort by per-image errors, with the explorer filters', async () => {
    const expected = errorsJson.bbox.per_image;
    const withFp = await allImages('file-bbox', '&errors=fp');
    assert.deepEqual(
      withFp.map((i) => i.id).sort((a, b) => a - b),
      expected
        .filter((e) => e.fp > 0)
        .map((e) => e.image_id)
        .sort((a, b) => a - b),
    );
    const byFn = await allImages('file-bbox', '&errors=fn&sort=fn');
    assert.deepEqual(
      byFn.map((i) => i.id),
      expected
        .filter((e) => e.fn > 0)
        .sort((a, b) => b.fn - a.fn || a.image_id - b.image_id)
        .map((e) => e.image_id),
    );
    const byErrors = await allImages('file-bbox', '&sort=errors&category=1');
    const plain = await get<{ images: { id: number }[] }>('/api/images?split=dataset&category=1&per_page=200');
    assert.deepEqual(
      byErrors.map((i) => i.id).sort((a, b) => a - b),
      plain.body.images.map((i) => i.id),
    );
    const errorsOf = (id: number) => {
      const e = expected.find((x) => x.image_id === id)!;
      return e.fp + e.fn;
    };
    for (let k = 1; k < byErrors.length; k++) assert.ok(errorsOf(byErrors[k - 1]!.id) >= errorsOf(byErrors[k]!.id));
    assert.equal((await get('/api/layers/file-bbox/images?split=dataset&errors=most')).status, 400);
    assert.equal((await get('/api/layers/file-bbox/images?split=dataset&sort=x')).status, 400);
  });

  test('two layers: each image carries both layers, sorted by where their counts differ most (as df2 compare ranks images)', async () => {
    const counts = (task: 'bbox' | 'segm') => new Map(errorsJson[task].per_image.map((e) => [e.image_id, { tp: e.tp, fp: e.fp, fn: e.fn }]));
    const [bbox, segm] = [counts('bbox'), counts('segm')];
    const zero = { tp: 0, fp: 0, fn: 0 };
    const distance = (id: number): number => {
      const [a, b] = [bbox.get(id) ?? zero, segm.get(id) ?? zero];
      return Math.abs(a.tp - b.tp) + Math.abs(a.fp - b.fp) + Math.abs(a.fn - b.fn);
    };
    const images = await allImages('file-bbox', '&against=file-segm&sort=difference');
    const ids = images.map((i) => i.id);
    assert.deepEqual(
      ids,
      [...ids].sort((x, y) => distance(y) - distance(x) || x - y),
      'most different first, ties by image id',
    );
    assert.ok(distance(ids[0]!) > 0 && distance(ids.at(-1)!) === 0, 'the fixture has images that differ and images that do not');
    for (const image of images) {
      assert.deepEqual(image.layer.tally, bbox.get(image.id) ?? zero, `image ${image.id}: layer A's counts`);
      assert.deepEqual(image.layer_b!.tally, segm.get(image.id) ?? zero, `image ${image.id}: layer B's counts`);
      assert.equal(image.difference, distance(image.id));
    }
    const page = await get<LayerImagePageJson>('/api/layers/file-bbox/images?split=dataset&against=file-segm&sort=difference&per_page=3');
    assert.equal(page.body.against, 'file-segm');
    assert.deepEqual(
      page.body.images.map((i) => i.id),
      ids.slice(0, 3),
    );
    // Without a second layer there is nothing to differ from; an unknown one is not found.
    assert.equal((await get('/api/layers/file-bbox/images?split=dataset&sort=difference')).status, 400);
    assert.equal((await get('/api/layers/file-bbox/images?split=dataset&against=file-nothing')).status, 404);
    assert.equal((await get('/api/layers/file-bbox/images?split=dataset&against=../x')).status, 400);
    // A retrieval layer's counts are of queries and gallery items: no difference with a detection layer's.
    const mixed = await get<{ error: string }>('/api/layers/file-bbox/images?split=dataset&against=file-ret');
    assert.equal(mixed.status, 400);
    assert.match(mixed.body.error, /^against: file-ret is a retrieval layer and file-bbox a coco one/);
    assert.equal((await get('/api/layers/file-ret/images?split=dataset&against=file-bbox')).status, 400);
    assert.equal((await get('/api/layers/file-bbox/images?split=dataset&against=sub-' + String(submissionId))).status, 404, "another user's submission");
  });

  test("keypoints: each landmark's kind is the landmark error analysis's, the counts kp-errors.json's, and the grid filters by kind", async () => {
    const { gt, results } = await loadCocoPair('keypoints', goldenPath('basic', 'gt', 'coco.json'), RESULTS.keypoints);
    const analysis = keypointErrorAnalysis(gt, results, { landmarkKinds: true });
    const images = await allImages('file-keypoints');
    const predictions = new Map(images.flatMap((img) => img.layer.predictions.map((p) => [p.index, { p, imageId: img.id }] as const)));
    const golden = new Map(kpErrors.per_detection.map((d) => [d.id, d]));
    assert.equal(analysis.perDetection.length, golden.size);
    for (const d of analysis.perDetection) {
      const { p, imageId } = predictions.get(d.resultIndex)!;
      assert.equal(imageId, d.imageId);
      const expected: (string | null)[] = [];
      for (const { landmark, kind } of d.landmarks!) expected[landmark - 1] = kind === 'unclassified' ? null : kind;
      assert.deepEqual(
        p.landmark_kinds,
        Array.from(expected, (k) => k ?? null),
        `detection ${d.resultIndex}`,
      );
      // The marks drawn add up to the reference run's counts for this detection.
      const drawn: KindCounts = { good: 0, jitter: 0, inversion: 0, swap: 0, miss: 0 };
      for (const k of p.landmark_kinds!) if (k) drawn[k]++;
      assert.deepEqual(drawn, golden.get(d.resultIndex)!.counts, `detection ${d.resultIndex}`);
      assert.ok(p.landmark_kinds!.length * 3 <= p.keypoints!.length);
    }
    // Detections the analysis left out carry no kinds.
    const analysed = new Set(analysis.perDetection.map((d) => d.resultIndex));
    for (const { p } of predictions.values()) if (!analysed.has(p.index)) assert.equal(p.landmark_kinds, undefined);
    const { body: summary } = await get<LayerSummaryJson>('/api/layers/file-keypoints/summary?split=dataset');
    assert.deepEqual(summary.landmarks!.counts, kpErrors.counts.overall);
    for (const kind of ['jitter', 'inversion', 'swap', 'miss'] as const) {
      const expected = [...new Set(kpErrors.per_detection.filter((d) => d.counts[kind] > 0).map((d) => d.image_id))].sort((a, b) => a - b);
      const shown = await allImages('file-keypoints', `&errors=${kind}`);
      assert.deepEqual(
        shown.map((i) => i.id),
        expected,
        kind,
      );
      assert.equal(summary.landmarks!.images[kind], expected.length);
      for (const img of shown) assert.ok(img.layer.landmark_counts![kind] > 0);
    }
    assert.ok((await allImages('file-keypoints', '&errors=inversion')).length > 0, 'the fixture has inversions');
    assert.equal((await get('/api/layers/file-bbox/images?split=dataset&errors=inversion')).status, 400);
  });

  for (const task of ['bbox', 'segm'] as const) {
    test(`${task}: the confusion matrix is errors.json's, and each cell lists the images holding it`, async () => {
      const { body: summary } = await get<LayerSummaryJson>(`/api/layers/file-${task}/summary?split=dataset`);
      const expected = errorsJson[task].confusion!;
      assert.deepEqual(summary.confusion, expected);
      const matrix = expected.matrix;
      let cellsChecked = 0;
      for (let r = 0; r < matrix.length; r++) {
        for (let c = 0; c < matrix.length; c++) {
          // Every non-empty cell (and a few empty ones): the images' counts sum to the cell.
          if (matrix[r]![c] === 0 && (r + c) % 7 !== 0) continue;
          const images = await allImages(`file-${task}`, `&confusion=${r},${c}`);
          assert.equal(
            images.reduce((n, img) => n + img.layer.confusion_count!, 0),
            matrix[r]![c],
            `cell ${r},${c}`,
          );
          assert.ok(images.every((img) => img.layer.confusion_count! > 0));
          // A confusion between two categories: the image holds a ground-truth item of the column's category.
          if (c < 13)
            for (const img of images)
              assert.ok(
                img.items.some((it) => it.category_id === expected.labels[c]),
                `cell ${r},${c} image ${img.id}`,
              );
          cellsChecked++;
        }
      }
      assert.ok(cellsChecked > 20);
      assert.equal((await get('/api/layers/file-bbox/images?split=dataset&confusion=14,0')).status, 400);
      assert.equal((await get('/api/layers/file-keypoints/images?split=dataset&confusion=0,0')).status, 400);
    });
  }

  test("the split's ground truth is kept as snapshots beside the layers, for the next layers on the split", async () => {
    // Written by the layers of the tests above (the golden figures there); the results-readers property evaluates
    // layers read from them against df2 eval.
    const snapshots = (await readdir(join(server.ctx.settings.layersDir, 'snapshots'))).filter((f) => f.endsWith('.df2snap'));
    assert.ok(snapshots.length >= 1, `no snapshot: ${snapshots.join(', ')}`);
  });

  test('retrieval: every query explained, aggregated to golden top-k; the image lists its queries', async () => {
    const { body: summary } = await get<LayerSummaryJson>('/api/layers/file-ret/summary?split=dataset');
    const g = golden.retrieval!;
    [g.top1!, g.top5!, g.top10!, g.top15!, g.top20!].forEach((v, k) => assert.ok(Math.abs(summary.stats[k]! - v) <= 1e-9));
    const images = await allImages('file-ret');
    const queries = images.flatMap((img) => img.layer.queries!.map((q) => ({ ...q, image: img.id })));
    const explained: RetrievalExplainedJson[] = [];
    for (const q of queries) {
      const { status, body } = await get<RetrievalExplainedJson>(`/api/layers/file-ret/queries/dataset/${q.query}`);
      assert.equal(status, 200);
      assert.equal(body.query_image_id, q.image);
      assert.equal(body.item, q.item);
      assert.equal(body.verdict, q.verdict);
      assert.equal(body.first_hit_rank, q.first_hit_rank);
      assert.equal(body.retrieved.find((r) => r.hit)?.rank ?? 0, body.first_hit_rank);
      explained.push(body);
    }
    const counted = explained.filter((e) => e.verdict !== 'not-counted');
    const figures = topKAccuracy(counted.map((e) => ({ query: e.query, standing: e.standing, firstHitRank: e.first_hit_rank })));
    assert.equal(figures.queries, g.queries);
    assert.equal(counted.filter((e) => e.verdict === 'no-detection').length, g.missed);
    for (const k of ['top1', 'top5', 'top10', 'top15', 'top20'] as const) assert.ok(Math.abs(figures[k] - g[k]!) <= 1e-9, k);
    // The ground-truth gallery items carry the query's pair_id and style; hits name one of them.
    for (const e of explained)
      for (const r of e.retrieved.filter((x) => x.hit))
        assert.ok(e.ground_truth_gallery.some((gg) => gg.gallery_image_id === r.gallery_image_id && gg.item === r.hit_item));
    assert.equal((await get('/api/layers/file-ret/queries/dataset/999999')).status, 404);
    assert.equal((await get('/api/layers/file-bbox/queries/dataset/0')).status, 400);
  });

  test('a finished submission is a layer for its owner and admins only', async () => {
    const id = `sub-${submissionId}`;
    assert.ok((await get<LayerJson[]>('/api/layers', alice)).body.some((l) => l.id === id));
    assert.ok((await get<LayerJson[]>('/api/layers', admin)).body.some((l) => l.id === id));
    assert.ok(!(await get<LayerJson[]>('/api/layers', bob)).body.some((l) => l.id === id));
    assert.equal((await get(`/api/layers/${id}/summary?split=dataset`, bob)).status, 404);
    assert.equal((await get(`/api/layers/${id}/summary?split=dataset`)).status, 404);
    const { status, body } = await get<LayerImageJson>(`/api/layers/${id}/images/dataset/2`, alice);
    assert.equal(status, 200);
    const e = errorsJson.bbox.per_image.find((x) => x.image_id === 2)!;
    assert.deepEqual(body.tally, { tp: e.tp, fp: e.fp, fn: e.fn });
    assert.equal((await get('/api/layers/..%2Fetc/summary?split=dataset')).status, 400);
  });
});

describe('submission layers follow the submissions API: figures hidden until the phase ends', () => {
  let server: RunningServer;
  let app: Hono;
  const clock = new TestClock(new Date('2027-06-05T00:00:00Z'));
  const tokens: Record<string, string> = {};
  let id: number;
  const call = async (path: string, token?: string): Promise<Response> => app.request(path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const listed = async (token?: string): Promise<boolean> =>
    ((await (await call('/api/layers', token)).json()) as LayerJson[]).some((l) => l.id === `sub-${id}`);

  before(async () => {
    const gt = await goldenGtDir();
    const challenge: Challenge = {
      title: 'hidden figures',
      description: '',
      registration: 'closed',
      phases: [
        {
          name: 'test',
          gtDir: gt,
          tasks: ['bbox'],
          end: '2027-06-15T00:00:00.000Z',
          limits: {},
          leaderboard: 'public',
          scores: 'after_end',
          rule: 'best',
        },
      ],
    };
    server = await startTestServer({ gtDir: gt, challenge, now: clock.now });
    app = createApp(server.ctx);
    tokens.alice = await addUser(server, 'alice');
    tokens.bob = await addUser(server, 'bob');
    tokens.admin = await addUser(server, 'root', true);
    const res = await upload(server, tokens.alice, {
      phase: 'test',
      task: 'bbox',
      name: 'alice bbox',
      file: { name: 'bbox.json', content: await readFile(RESULTS.bbox) },
    });
    id = ((await res.json()) as { id: number }).id;
    assert.equal((await waitForSubmission(server, tokens.alice, id)).status, 'done');
  });
  after(async () => {
    await server?.close();
  });

  test('while the phase hides figures: the owner gets no figures and no layer; admins get both; others nothing', async () => {
    const own = (await (await call(`/api/submissions/${id}`, tokens.alice)).json()) as SubmissionJson;
    assert.deepEqual([own.status, own.stats, own.figures_hidden_until], ['done', null, '2027-06-15T00:00:00.000Z']);
    assert.equal(await listed(tokens.alice), false);
    assert.equal((await call(`/api/layers/sub-${id}/summary?split=dataset`, tokens.alice)).status, 404);
    assert.equal((await call(`/api/layers/sub-${id}/images/dataset/2`, tokens.alice)).status, 404);
    assert.equal(await listed(tokens.admin), true);
    assert.equal((await call(`/api/layers/sub-${id}/summary?split=dataset`, tokens.admin)).status, 200);
    for (const token of [tokens.bob, undefined]) {
      assert.equal((await call(`/api/submissions/${id}`, token)).status, token ? 404 : 401);
      assert.equal(await listed(token), false);
      assert.equal((await call(`/api/layers/sub-${id}/summary?split=dataset`, token)).status, 404);
    }
  });

  test('after the end: the owner sees the figures and the layer; others still do not', async () => {
    clock.set('2027-06-16T00:00:00Z');
    const own = (await (await call(`/api/submissions/${id}`, tokens.alice)).json()) as SubmissionJson;
    assert.equal(own.figures_hidden_until, null);
    assert.ok(Math.abs(own.stats![0]! - golden.bbox!.stats![0]!) <= 1e-9);
    assert.equal(await listed(tokens.alice), true);
    const summary = await call(`/api/layers/sub-${id}/summary?split=dataset`, tokens.alice);
    assert.equal(summary.status, 200);
    assert.equal(await listed(tokens.bob), false);
    assert.equal((await call(`/api/layers/sub-${id}/summary?split=dataset`, tokens.bob)).status, 404);
  });
});

test('a --results file that is not a results file is refused before the server starts', async () => {
  const dir = await tempDir('df2-layers-');
  await assert.rejects(
    startServer({ dataDirs: [GOLDEN_SPLIT], db: join(dir, 'db.sqlite'), port: 0, results: [{ name: 'bad', file: goldenPath('basic', 'gt', 'coco.json') }] }),
    (err: unknown) => err instanceof InputError && err.message.includes('coco.json'),
  );
});
