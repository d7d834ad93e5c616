/**
 * Benchmark of `df2 eval retrieval` at validation size: writes a synthetic
 * query / gallery / results triple shaped like the release's validation split
 * (about 12,550 queries with style > 0 in 10,844 consumer images, about 37,000
 * gallery items in 20,681 shop images, three detections per consumer item
 * with 20 retrieved items each) and prints the seconds the library and the
 * whole CLI process take.
 *
 *   node dist/bench/retrieval.js [--keep DIR]
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Random } from '../util/random.js';
import { evaluateRetrievalFiles } from '../eval/index.js';
import { REPO_ROOT } from '../testing/paths.js';

const CONSUMER_IMAGES = 10_844;
const SHOP_IMAGES = 20_681;
const CONSUMER_IMAGES_PER_PAIR = 2.7;
const DETECTIONS_PER_ITEM = 3;
const RETRIEVED = 20;

type Box = [number, number, number, number];
interface Item {
  image: number;
  pair: number;
  style: number;
  cls: number;
  bbox: Box;
}

/** Writes a JSON array of `count` elements made by `element(i)`, in batches. */
async function writeArray(file: string, count: number, element: (i: number) => unknown): Promise<void> {
  const handle = await open(file, 'w');
  try {
    let batch: string[] = [];
    for (let i = 0; i < count; i++) {
      batch.push((i === 0 ? '[' : ',') + JSON.stringify(element(i)));
      if (batch.length === 2000) {
        await handle.write(batch.join('\n'));
        batch = [];
      }
    }
    batch.push(count === 0 ? '[]\n' : ']\n');
    await handle.write(batch.join('\n'));
  } finally {
    await handle.close();
  }
}

export interface RetrievalBenchFiles {
  query: string;
  gallery: string;
  results: string;
  counts: { queries: number; galleryItems: number; results: number };
}

async function writeRetrievalBenchFiles(dir: string): Promise<RetrievalBenchFiles> {
  const random = Random.from(2019);
  const rnd = (): number => random.next(); // deterministic: every run writes the same files
  const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
  const box = (): Box => {
    const x = int(0, 600),
      y = int(0, 800);
    return [x, y, x + int(40, 300), y + int(40, 400)];
  };
  const jitter = (b: Box, amount: number): Box => b.map((v) => Math.round((v + (rnd() - 0.5) * amount) * 1000) / 1000) as Box;

  const pairs = Math.round(CONSUMER_IMAGES / CONSUMER_IMAGES_PER_PAIR);
  const queries: Item[] = [];
  for (let image = 1; image <= CONSUMER_IMAGES; image++) {
    const pair = 1 + Math.floor(((image - 1) * pairs) / CONSUMER_IMAGES);
    const items = rnd() < 0.3 ? 2 : 1;
    for (let k = 0; k < items; k++) {
      queries.push({ image, pair, style: rnd() < 0.92 ? int(1, 2) : 0, cls: int(1, 13), bbox: box() });
    }
  }
  const gallery: Item[] = [];
  const galleryByPairStyle = new Map<string, Item[]>();
  for (let s = 0; s < SHOP_IMAGES; s++) {
    const image = CONSUMER_IMAGES + 1 + s;
    const pair = 1 + Math.floor((s * pairs) / SHOP_IMAGES);
    const items = rnd() < 0.8 ? 2 : 1;
    for (let k = 0; k < items; k++) {
      const item = { image, pair, style: rnd() < 0.9 ? k + 1 : 0, cls: int(1, 13), bbox: box() };
      gallery.push(item);
      const key = `${pair}:${item.style}`;
      (galleryByPairStyle.get(key) ?? galleryByPairStyle.set(key, []).get(key)!).push(item);
    }
  }

  const query = join(dir, 'query.json');
  const galleryFile = join(dir, 'gallery.json');
  const results = join(dir, 'results.json');
  await writeArray(query, queries.length, (i) => {
    const q = queries[i]!;
    return { query_image_id: q.image, style: q.style, cls: q.cls, pair_id: q.pair, bbox: q.bbox };
  });
  await writeArray(galleryFile, gallery.length, (i) => {
    const g = gallery[i]!;
    return { gallery_image_id: g.image, style: g.style, pair_id: g.pair, bbox: g.bbox };
  });
  const resultCount = queries.length * DETECTIONS_PER_ITEM;
  await writeArray(results, resultCount, (i) => {
    const q = queries[Math.floor(i / DETECTIONS_PER_ITEM)]!;
    const near = i % DETECTIONS_PER_ITEM === 0;
    const ids: number[] = [];
    const boxes: Box[] = [];
    for (let t = 0; t < RETRIEVED; t++) {
      const g = gallery[int(0, gallery.length - 1)]!;
      ids.push(g.image);
      boxes.push(jitter(g.bbox, 20));
    }
    const matches = galleryByPairStyle.get(`${q.pair}:${q.style}`);
    if (matches && rnd() < 0.6) {
      const g = matches[int(0, matches.length - 1)]!;
      const t = int(0, RETRIEVED - 1);
      ids[t] = g.image;
      boxes[t] = jitter(g.bbox, 10);
    }
    return {
      query_image_id: q.image,
      query_bbox: near ? jitter(q.bbox, 20) : box(),
      query_cls: rnd() < 0.85 ? q.cls : int(1, 13),
      query_score: Math.round(rnd() * 1e6) / 1e6,
      gallery_image_id: ids,
      gallery_bbox: boxes,
    };
  });
  return {
    query,
    gallery: galleryFile,
    results,
    counts: { queries: queries.filter((q) => q.style > 0).length, galleryItems: gallery.length, results: resultCount },
  };
}

async function benchRetrieval(keepDir?: string): Promise<void> {
  const dir = keepDir ?? (await mkdtemp(join(tmpdir(), 'df2-bench-retrieval-')));
  await mkdir(dir, { recursive: true });
  try {
    const files = await writeRetrievalBenchFiles(dir);
    const mb = (await stat(files.results)).size / 1e6;
    console.log(
      `retrieval bench: ${files.counts.queries} queries (style > 0), ${files.counts.galleryItems} gallery items, ` +
        `${files.counts.results} results (${mb.toFixed(1)} MB)`,
    );
    // CPU seconds alongside wall seconds: on a shared machine the wall figure includes waiting.
    const start = process.hrtime.bigint();
    const cpuStart = process.cpuUsage();
    const result = await evaluateRetrievalFiles(files.query, files.gallery, files.results);
    const librarySeconds = Number(process.hrtime.bigint() - start) / 1e9;
    const cpu = process.cpuUsage(cpuStart);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    console.log(
      `  library (load + evaluate): ${librarySeconds.toFixed(2)} s wall, ${cpuSeconds.toFixed(2)} s CPU; ` +
        `top-20 ${result.top20.toFixed(4)}, heap ${(process.memoryUsage().heapUsed / 1e6).toFixed(0)} MB`,
    );

    const cliStart = process.hrtime.bigint();
    const cli = spawnSync(
      process.execPath,
      [join(REPO_ROOT, 'bin', 'df2.js'), 'eval', 'retrieval', '--query', files.query, '--gallery', files.gallery, '--results', files.results, '--json'],
      { encoding: 'utf8' },
    );
    const cliSeconds = Number(process.hrtime.bigint() - cliStart) / 1e9;
    if (cli.status !== 0) throw new Error(`df2 eval retrieval failed: ${cli.stderr}`);
    console.log(`  df2 eval retrieval --json (whole process): ${cliSeconds.toFixed(2)} s`);
  } finally {
    if (!keepDir) await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const keep = process.argv.indexOf('--keep');
  await benchRetrieval(keep > 0 ? process.argv[keep + 1] : undefined);
}
