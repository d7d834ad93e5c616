import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../util/errors.js';
import { parseGalleryItem, parseQueryItem, parseRetrievalResult } from './retrieval.js';

const F = 'f.json';
const box = [1, 2, 30, 40];
const goodResult = {
  query_image_id: 3,
  query_bbox: box,
  query_cls: 2,
  query_score: 0.5,
  gallery_image_id: [7, 8],
  gallery_bbox: [box, [0, 0, 1.5, 2.5]],
};

/** Asserts an InputError naming `entry`, with `text` in its message. */
function throwsAt(fn: () => unknown, entry: string, text?: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof InputError, String(err));
    assert.equal(err.entry, entry);
    assert.ok(err.message.startsWith(`${F}: ${entry}: expected`), err.message);
    if (text) assert.ok(err.message.includes(text), err.message);
    return true;
  });
}

test('reads valid entries of the three files', () => {
  assert.deepEqual(parseQueryItem({ query_image_id: 1, style: 0, cls: 13, pair_id: 4, bbox: box, scale: 3 }, F, 0), {
    queryImageId: 1,
    style: 0,
    cls: 13,
    pairId: 4,
    bbox: box,
    attributes: { scale: 3 },
  });
  assert.deepEqual(parseGalleryItem({ gallery_image_id: 9, style: 2, pair_id: 4, bbox: box }, F, 0), {
    galleryImageId: 9,
    style: 2,
    pairId: 4,
    bbox: box,
  });
  assert.deepEqual(parseRetrievalResult(goodResult, F, 0), {
    queryImageId: 3,
    queryBbox: box,
    queryCls: 2,
    queryScore: 0.5,
    galleryImageIds: [7, 8],
    galleryBboxes: [box, [0, 0, 1.5, 2.5]],
  });
  assert.equal(parseRetrievalResult({ ...goodResult, gallery_image_id: [], gallery_bbox: [] }, F, 0).galleryImageIds.length, 0);
});

test('bad query and gallery ground truth names the entry and field', () => {
  const q = { query_image_id: 1, style: 1, cls: 3, pair_id: 4, bbox: box };
  throwsAt(() => parseQueryItem({ ...q, cls: 14 }, F, 5), '[5].cls', 'category id 1..13');
  throwsAt(() => parseQueryItem({ ...q, style: -1 }, F, 0), '[0].style');
  throwsAt(() => parseQueryItem({ ...q, pair_id: '4' }, F, 0), '[0].pair_id');
  throwsAt(() => parseQueryItem({ ...q, bbox: [1, 2, 3] }, F, 2), '[2].bbox', '4 finite numbers');
  throwsAt(() => parseQueryItem({ ...q, occlusion: 4 }, F, 0), '[0].occlusion', '1..3');
  throwsAt(() => parseQueryItem([q], F, 1), '[1]', 'a query item');
  const g = { gallery_image_id: 9, style: 2, pair_id: 4, bbox: box };
  throwsAt(() => parseGalleryItem({ ...g, gallery_image_id: 1.5 }, F, 0), '[0].gallery_image_id');
  throwsAt(() => parseGalleryItem({ ...g, bbox: [1, 2, 3, null] }, F, 3), '[3].bbox', 'null at position 3');
  throwsAt(() => parseGalleryItem({ style: 2, pair_id: 4, bbox: box }, F, 0), '[0].gallery_image_id', 'found nothing');
});

test('bad results name the entry and field', () => {
  const without = (field: string): Record<string, unknown> => {
    const copy: Record<string, unknown> = { ...goodResult };
    delete copy[field];
    return copy;
  };
  for (const field of Object.keys(goodResult)) throwsAt(() => parseRetrievalResult(without(field), F, 4), `[4].${field}`);
  throwsAt(() => parseRetrievalResult({ ...goodResult, query_score: 'high' }, F, 0), '[0].query_score');
  throwsAt(() => parseRetrievalResult({ ...goodResult, query_bbox: [0, 0, 1, 1, 1] }, F, 0), '[0].query_bbox');
  throwsAt(() => parseRetrievalResult({ ...goodResult, gallery_bbox: [box] }, F, 0), '[0].gallery_bbox', 'as many boxes');
  throwsAt(() => parseRetrievalResult({ ...goodResult, gallery_bbox: [box, [0, 0, 1]] }, F, 0), '[0].gallery_bbox[1]');
  throwsAt(() => parseRetrievalResult({ ...goodResult, gallery_image_id: [7, '8'] }, F, 0), '[0].gallery_image_id[1]');
  const long = Array.from({ length: 21 }, (_, i) => i);
  throwsAt(
    () => parseRetrievalResult({ ...goodResult, gallery_image_id: long, gallery_bbox: long.map(() => box) }, F, 0),
    '[0].gallery_image_id',
    'at most 20',
  );
});

test('query_cls follows the rule of category_id: 1..13, so 0 is an error', () => {
  throwsAt(() => parseRetrievalResult({ ...goodResult, query_cls: 0 }, F, 2), '[2].query_cls', 'a category id 1..13, found 0');
  throwsAt(() => parseRetrievalResult({ ...goodResult, query_cls: 14 }, F, 2), '[2].query_cls', 'a category id 1..13');
  assert.equal(parseRetrievalResult({ ...goodResult, query_cls: 13 }, F, 0).queryCls, 13);
});

test('ids beyond 2^53 - 1 (rounded by JSON) are errors, 2^53 - 1 itself is fine', () => {
  const q = { query_image_id: 1, style: 1, cls: 3, pair_id: 4, bbox: box };
  throwsAt(() => parseQueryItem({ ...q, pair_id: 2 ** 53 }, F, 0), '[0].pair_id', 'at most 2^53 - 1');
  throwsAt(() => parseQueryItem({ ...q, style: 1e20 }, F, 0), '[0].style', 'from 0 to 2^53 - 1');
  throwsAt(() => parseGalleryItem({ gallery_image_id: 9, style: 2, pair_id: 2 ** 60, bbox: box }, F, 1), '[1].pair_id');
  assert.equal(parseQueryItem({ ...q, pair_id: Number.MAX_SAFE_INTEGER }, F, 0).pairId, Number.MAX_SAFE_INTEGER);
});
