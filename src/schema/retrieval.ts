/**
 * The three files of consumer-to-shop retrieval evaluation, as the release's
 * evaluation.md defines them, with validators that say exactly which entry
 * and field is wrong:
 *
 * - query ground truth (val_query.json): one entry per item of a consumer
 *   ("user") image, `{query_image_id, style, cls, pair_id, bbox}`, optionally
 *   with the four attributes (`df2 convert retrieval --attributes`);
 * - gallery ground truth (val_gallery.json): one entry per item of a shop
 *   image, `{gallery_image_id, style, pair_id, bbox}`;
 * - results: one entry per detected query item, `{query_image_id, query_bbox,
 *   query_cls, query_score, gallery_image_id: [..], gallery_bbox: [[..], ..]}`
 *   with up to 20 retrieved shop items, best first.
 *
 * Boxes are corners [x1, y1, x2, y2] throughout, as in the files.
 */
import { ATTRIBUTE_NAMES, ATTRIBUTES, NUM_CATEGORIES, type AttributeName } from './categories.js';
import { InputError, describe, pathJoin } from '../util/errors.js';

/** A box as the retrieval files write it: [x1, y1, x2, y2]. */
type Corners = readonly [number, number, number, number];

/** The release asks for the top-20 retrieved items; longer lists are refused. */
export const MAX_RETRIEVED = 20;

export interface QueryItem {
  queryImageId: number;
  /** 0: the item cannot form a pair and is not a query of the benchmark. */
  style: number;
  /** Category id 1..13. */
  cls: number;
  pairId: number;
  bbox: Corners;
  /** Attributes present in the file (each 1..3); absent ones are simply missing. */
  attributes: Partial<Record<AttributeName, number>>;
}

export interface GalleryItem {
  galleryImageId: number;
  style: number;
  pairId: number;
  bbox: Corners;
}

export interface RetrievalResultRecord {
  queryImageId: number;
  queryBbox: Corners;
  queryCls: number;
  queryScore: number;
  /** Retrieved shop images, best first; as long as galleryBboxes, at most MAX_RETRIEVED. */
  galleryImageIds: number[];
  galleryBboxes: Corners[];
}

type Fields = Record<string, unknown>;

/** Checks one entry of a top-level array; every failure names file, entry and field. */
class EntryReader {
  readonly fields: Fields;
  constructor(
    readonly file: string,
    readonly entry: string,
    value: unknown,
    what: string,
  ) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new InputError(file, entry, what, describe(value));
    }
    this.fields = value as Fields;
  }

  fail(path: string, expected: string, found: unknown): never {
    throw new InputError(this.file, path, expected, describe(found));
  }

  path(field: string): string {
    return pathJoin(this.entry, field);
  }

  /** An integer from min to max; never beyond 2^53 - 1, where a JSON number loses digits. */
  integer(field: string, min = -Number.MAX_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER, expected = 'an integer (at most 2^53 - 1)'): number {
    const v = this.fields[field];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) this.fail(this.path(field), expected, v);
    return v;
  }

  finite(field: string): number {
    const v = this.fields[field];
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(this.path(field), 'a finite number', v);
    return v;
  }

  box(field: string): Corners {
    return readBox(this.file, () => this.path(field), this.fields[field]);
  }

  array(field: string): unknown[] {
    const v = this.fields[field];
    if (!Array.isArray(v)) this.fail(this.path(field), 'an array', v);
    return v;
  }
}

const BOX_EXPECTED = '4 finite numbers [x1, y1, x2, y2]';

/** `path` is a function because results hold ~20 boxes each: build the string only on failure. */
function readBox(file: string, path: () => string, value: unknown): Corners {
  if (!Array.isArray(value) || value.length !== 4) throw new InputError(file, path(), BOX_EXPECTED, describe(value));
  for (let k = 0; k < 4; k++) {
    const c: unknown = value[k];
    if (typeof c !== 'number' || !Number.isFinite(c)) {
      throw new InputError(file, path(), BOX_EXPECTED, `${describe(c)} at position ${k}`);
    }
  }
  return value as unknown as Corners;
}

/** One entry of a query ground-truth file; `index` is its position in the file. */
export function parseQueryItem(value: unknown, file: string, index: number): QueryItem {
  const r: EntryReader = new EntryReader(file, `[${index}]`, value, 'a query item {query_image_id, style, cls, pair_id, bbox}');
  const item: QueryItem = {
    queryImageId: r.integer('query_image_id'),
    style: r.integer('style', 0, Number.MAX_SAFE_INTEGER, 'an integer from 0 to 2^53 - 1'),
    cls: r.integer('cls', 1, NUM_CATEGORIES, `a category id 1..${NUM_CATEGORIES}`),
    pairId: r.integer('pair_id'),
    bbox: r.box('bbox'),
    attributes: {},
  };
  for (const name of ATTRIBUTE_NAMES) {
    if (r.fields[name] === undefined) continue;
    item.attributes[name] = r.integer(name, 1, ATTRIBUTES[name].length, `an attribute value 1..${ATTRIBUTES[name].length}`);
  }
  return item;
}

/** One entry of a gallery ground-truth file. */
export function parseGalleryItem(value: unknown, file: string, index: number): GalleryItem {
  const r: EntryReader = new EntryReader(file, `[${index}]`, value, 'a gallery item {gallery_image_id, style, pair_id, bbox}');
  return {
    galleryImageId: r.integer('gallery_image_id'),
    style: r.integer('style', 0, Number.MAX_SAFE_INTEGER, 'an integer from 0 to 2^53 - 1'),
    pairId: r.integer('pair_id'),
    bbox: r.box('bbox'),
  };
}

/** One entry of a retrieval results file. */
export function parseRetrievalResult(value: unknown, file: string, index: number): RetrievalResultRecord {
  const r: EntryReader = new EntryReader(
    file,
    `[${index}]`,
    value,
    'a result {query_image_id, query_bbox, query_cls, query_score, gallery_image_id, gallery_bbox}',
  );
  const queryImageId = r.integer('query_image_id');
  const queryBbox = r.box('query_bbox');
  // The rule of category_id in COCO results: a category of the ground truth, 1..13.
  const queryCls = r.integer('query_cls', 1, NUM_CATEGORIES, `a category id 1..${NUM_CATEGORIES}`);
  const queryScore = r.finite('query_score');
  const ids = r.array('gallery_image_id');
  const boxes = r.array('gallery_bbox');
  if (ids.length > MAX_RETRIEVED) {
    r.fail(r.path('gallery_image_id'), `at most ${MAX_RETRIEVED} retrieved items`, ids);
  }
  if (boxes.length !== ids.length) {
    throw new InputError(file, r.path('gallery_bbox'), `as many boxes as gallery_image_id has ids (${ids.length})`, describe(boxes));
  }
  const galleryImageIds = ids.map((id, t) => {
    if (typeof id !== 'number' || !Number.isInteger(id)) r.fail(pathJoin(r.path('gallery_image_id'), t), 'an integer image id', id);
    return id;
  });
  const galleryBboxes = boxes.map((box, t) => readBox(file, () => pathJoin(r.path('gallery_bbox'), t), box));
  return { queryImageId, queryBbox, queryCls, queryScore, galleryImageIds, galleryBboxes };
}
