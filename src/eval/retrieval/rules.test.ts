/** Each rule of the retrieval protocol on a hand-made case small enough to check by eye. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Corners, GalleryItem, QueryItem, RetrievalResultRecord } from '../../schema/index.js';
import { InputError } from '../../util/errors.js';
import { evaluateRetrieval, type RetrievalResult } from './evaluate.js';
import { indexGallery, indexQueries } from './ground-truth.js';
import { buildResultTable, resultRecord, ResultTableBuilder } from './results.js';

const A: Corners = [0, 0, 100, 100];
const B: Corners = [200, 0, 300, 100];
const FAR: Corners = [1000, 1000, 1010, 1010];

function query(image: number, style: number, cls: number, bbox: Corners, attributes: QueryItem['attributes'] = {}): QueryItem {
  return { queryImageId: image, style, cls, pairId: image, bbox, attributes };
}

function shop(image: number, pairId: number, style: number, bbox: Corners): GalleryItem {
  return { galleryImageId: image, pairId, style, bbox };
}

/** A result retrieving `retrieved` (shop image, box) pairs, best first. */
function result(image: number, cls: number, score: number, bbox: Corners, retrieved: [number, Corners][]): RetrievalResultRecord {
  return {
    queryImageId: image,
    queryBbox: bbox,
    queryCls: cls,
    queryScore: score,
    galleryImageIds: retrieved.map(([id]) => id),
    galleryBboxes: retrieved.map(([, box]) => box),
  };
}

/** `n` retrieved items that are all misses (a shop image with no gallery item). */
const misses = (n: number): [number, Corners][] => Array.from({ length: n }, () => [999, FAR] as [number, Corners]);

/** Retrieved list with the correct item for pair 1 / style 1 (shop image 50, box A) at 1-based `rank`. */
function hitAt(rank: number, length = 20): [number, Corners][] {
  const list = misses(length);
  list[rank - 1] = [50, A];
  return list;
}

const GALLERY = [shop(50, 1, 1, A), shop(50, 1, 2, B), shop(999, 7, 1, [0, 0, 1, 1])];

function run(queries: QueryItem[], results: RetrievalResultRecord[], gallery = GALLERY, by?: ('scale' | 'occlusion')[]): RetrievalResult {
  return evaluateRetrieval({ queries: indexQueries(queries), gallery: indexGallery(gallery), results: buildResultTable(results) }, { by });
}

test('a detection stands for the query it overlaps most, not for the others of its image', () => {
  const queries = [query(1, 1, 3, A), query(1, 2, 3, B)];
  const r = run(queries, [result(1, 3, 0.9, [190, 0, 290, 100], hitAt(1))]);
  assert.deepEqual(
    r.outcomes.map((o) => o.standing),
    [-1, 0],
  );
  assert.equal(r.missed, 1);
  // Its list is judged for query 2 (style 2: the gallery item at B), so the box A at rank 1 is no hit.
  assert.equal(r.outcomes[1]!.firstHitRank, 0);
  assert.equal(r.top20, 0);
});

test('without any overlap, or with equal overlaps, the first query of the image takes the detection', () => {
  const queries = [query(1, 1, 3, A), query(1, 1, 3, B)];
  const none = run(queries, [result(1, 3, 0.9, FAR, hitAt(1))]);
  assert.deepEqual(
    none.outcomes.map((o) => o.standing),
    [0, -1],
  );
  assert.equal(none.top1, 0.5);
  const tie = run(queries, [result(1, 3, 0.9, [50, 0, 250, 100], hitAt(1))]);
  assert.deepEqual(
    tie.outcomes.map((o) => o.standing),
    [0, -1],
  );
});

test('a detection assigned to a style-0 item stands for nothing; style-0 items are not counted', () => {
  const queries = [query(1, 0, 3, A), query(1, 1, 3, B)];
  const r = run(queries, [result(1, 3, 0.9, A, hitAt(1))]);
  assert.equal(r.queries, 1);
  assert.equal(r.outcomes.length, 1);
  assert.equal(r.outcomes[0]!.query, 1);
  assert.equal(r.missed, 1);
  assert.equal(r.top20, 0);
});

test('only detections of the query class can stand for it', () => {
  const queries = [query(1, 1, 3, A)];
  assert.equal(run(queries, [result(1, 4, 0.9, A, hitAt(1))]).missed, 1);
  const r = run(queries, [result(1, 4, 0.9, A, misses(20)), result(1, 3, 0.2, A, hitAt(2))]);
  assert.deepEqual(r.outcomes, [{ query: 0, standing: 1, firstHitRank: 2 }]);
});

test('the highest-scoring assigned detection stands; equal scores go to the first in the file', () => {
  const queries = [query(1, 1, 3, A)];
  const higher = run(queries, [result(1, 3, 0.3, A, hitAt(1)), result(1, 3, 0.8, [0, 0, 90, 90], misses(20))]);
  assert.equal(higher.outcomes[0]!.standing, 1);
  assert.equal(higher.top20, 0);
  const tie = run(queries, [result(1, 3, 0.5, A, hitAt(3)), result(1, 3, 0.5, A, hitAt(1))]);
  assert.equal(tie.outcomes[0]!.standing, 0);
  assert.equal(tie.outcomes[0]!.firstHitRank, 3);
});

test('top-k counts a query when its first hit is within rank k', () => {
  const queries = [query(1, 1, 3, A), query(2, 1, 3, A), query(3, 1, 3, A), query(4, 1, 3, A)];
  const gallery = [...GALLERY, shop(50, 2, 1, A), shop(50, 3, 1, A), shop(50, 4, 1, A)];
  // pair ids equal the query image ids, so each query's correct item is box A in shop image 50.
  const r = run(queries, [result(1, 3, 1, A, hitAt(1)), result(2, 3, 1, A, hitAt(5)), result(3, 3, 1, A, hitAt(11)), result(4, 3, 1, A, hitAt(20))], gallery);
  assert.deepEqual(
    r.outcomes.map((o) => o.firstHitRank),
    [1, 5, 11, 20],
  );
  assert.deepEqual([r.top1, r.top5, r.top10, r.top15, r.top20], [0.25, 0.5, 0.5, 0.75, 1]);
  // A later repeat of the hit does not move the rank.
  const repeated = hitAt(4);
  repeated[9] = [50, A];
  assert.equal(run([queries[0]!], [result(1, 3, 1, A, repeated)]).outcomes[0]!.firstHitRank, 4);
});

test('a retrieved box is a hit from IoU 0.5 on, in the right shop image, for the right pair and style', () => {
  const queries = [query(1, 1, 3, A)];
  const rankWith = (retrieved: [number, Corners]): number => run(queries, [result(1, 3, 1, A, [retrieved])]).outcomes[0]!.firstHitRank;
  assert.equal(rankWith([50, [0, 0, 100, 50]]), 1); // IoU exactly 0.5
  assert.equal(rankWith([50, [0, 0, 100, 49]]), 0); // IoU 0.49: a loose box
  assert.equal(rankWith([51, A]), 0); // right box, wrong shop image
  assert.equal(rankWith([50, B]), 0); // the style-2 item of the same pair
  const otherPair = run([query(7, 1, 3, A)], [result(7, 3, 1, A, [[50, A]])]);
  assert.equal(otherPair.outcomes[0]!.firstHitRank, 0); // pair 7's item is in shop image 999
});

test('short lists are allowed and counted; missing ranks are no hit', () => {
  const queries = [query(1, 1, 3, A), query(2, 1, 3, A)];
  const gallery = [...GALLERY, shop(50, 2, 1, A)];
  const r = run(queries, [result(1, 3, 1, A, hitAt(3, 3)), result(2, 3, 1, A, [])], gallery);
  assert.equal(r.shortLists, 2);
  assert.deepEqual(
    r.outcomes.map((o) => o.firstHitRank),
    [3, 0],
  );
  assert.deepEqual([r.top1, r.top5, r.top20], [0, 0.5, 0.5]);
  assert.equal(r.missed, 0);
});

test('results for images without queries and unknown shop images are counted as warnings only', () => {
  const queries = [query(1, 1, 3, A)];
  const base = run(queries, [result(1, 3, 0.5, A, hitAt(2))]);
  const extra = run(queries, [
    result(1, 3, 0.5, A, hitAt(2).map((x, t) => (t === 0 ? [123456, A] : x)) as [number, Corners][]),
    result(77, 3, 0.99, A, hitAt(1)),
  ]);
  assert.deepEqual([extra.top1, extra.top5, extra.top20, extra.queries, extra.missed], [base.top1, base.top5, base.top20, base.queries, base.missed]);
  assert.equal(extra.warnings.resultsWithoutQueryImage, 1);
  assert.equal(extra.warnings.unknownGalleryImages, 1);
  assert.equal(base.warnings.resultsWithoutQueryImage + base.warnings.unknownGalleryImages, 0);
});

test('queries with no gallery counterpart are counted, never found', () => {
  const r = run([query(1, 3, 3, A)], [result(1, 3, 1, A, hitAt(1))]);
  assert.equal(r.warnings.queriesWithoutGalleryMatch, 1);
  assert.equal(r.top20, 0);
});

test('undefined figures are -1 when no query is counted', () => {
  const r = run([query(1, 0, 3, A)], []);
  assert.deepEqual([r.top1, r.top20, r.queries, r.missed], [-1, -1, 0, 0]);
});

test('a breakdown counts only queries with the attribute value, standing detections chosen as usual', () => {
  const queries = [
    query(1, 1, 3, A, { scale: 1, occlusion: 2 }),
    query(2, 1, 3, A, { scale: 2, occlusion: 2 }),
    query(3, 1, 3, A, { scale: 2, occlusion: 2 }),
    query(3, 0, 3, B, { scale: 1, occlusion: 1 }),
  ];
  const gallery = [...GALLERY, shop(50, 2, 1, A), shop(50, 3, 1, A)];
  const r = run(queries, [result(1, 3, 1, A, hitAt(1)), result(2, 3, 1, A, hitAt(6)), result(3, 3, 1, B, hitAt(1))], gallery, ['scale', 'occlusion']);
  assert.deepEqual(r.by.scale!['1'], { top1: 1, top5: 1, top10: 1, top15: 1, top20: 1, queries: 1, missed: 0 });
  assert.deepEqual(r.by.scale!['2'], { top1: 0, top5: 0, top10: 0.5, top15: 0.5, top20: 0.5, queries: 2, missed: 1 });
  assert.equal(r.by.scale!['3']!.queries, 0);
  assert.equal(r.by.scale!['3']!.top1, -1);
  assert.equal(r.by.occlusion!['2']!.queries, 3);
  assert.equal(r.by.occlusion!['1']!.queries, 0); // the style-0 item does not count
  assert.equal(r.by.zoom_in, undefined);
});

test('a breakdown by an attribute the query file lacks names the entry and the converter option', () => {
  assert.throws(
    () => run([query(1, 0, 3, A), query(1, 1, 3, B, { scale: 1 })], [], GALLERY, ['scale', 'occlusion']),
    (err: unknown) => err instanceof InputError && err.entry === '[1].occlusion' && err.message.includes('df2 convert retrieval --attributes'),
  );
});

test('the result table grows past its first capacity and gives rows back unchanged', () => {
  const builder = new ResultTableBuilder(1);
  const records = [0, 1, 2, 3, 4].map((i) => result(i, i + 1, i / 10, [i, i + 0.5, i + 10, i + 20.25], hitAt(i + 1, i + 16)));
  for (const record of records) builder.add(record);
  const table = builder.finish();
  assert.equal(table.count, 5);
  assert.equal(table.shortLists, 4);
  records.forEach((record, i) => assert.deepEqual(resultRecord(table, i), record));
});
