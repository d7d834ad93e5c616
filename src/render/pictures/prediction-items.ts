/**
 * Detections of a results file for the images being drawn: streamed (a
 * keypoint results file can be larger than one V8 string), only the records
 * of the asked-for images kept, each with its index in the file (the engine's
 * match records name detections by that index).
 */
import { categoryById } from '../../schema/index.js';
import type { CocoTask } from '../../eval/index.js';
import { streamJson } from '../../json/stream.js';
import { rleDecode, rleFromString, RleFormatError, rlePixelBounds, type Rle } from '../../mask/index.js';
import { InputError, describe, pathJoin } from '../../util/errors.js';
import type { Verdict } from './gt-items.js';
import type { BitMask, DrawnItem, Xywh } from './drawn-item.js';
import { isFiniteNumber } from '../../util/json-guards.js';

/** A results file's kind is the evaluation task it is for. */
export type ResultKind = CocoTask;

export interface DetectionRecord {
  /** Index of the record in the results file. */
  index: number;
  imageId: number;
  categoryId: number;
  score: number;
  bbox?: Xywh;
  segmentation?: { size: [number, number]; counts: string | number[] };
  keypoints?: number[];
  /** The record as read, for writing a results file of only the drawn images. */
  raw: unknown;
}

export interface ImageResults {
  file: string;
  kind: ResultKind;
  /** Records per image id, in file order. */
  byImage: Map<number, DetectionRecord[]>;
}

/**
 * The task a result record belongs to, by its fields: keypoints, else a
 * segmentation, else a box. (A segmentation result that also carries a box,
 * as detectron2 writes them, is a segm result; the evaluation decides how its
 * area is read.)
 */
export function resultKindOf(record: unknown): ResultKind | undefined {
  if (typeof record !== 'object' || record === null) return undefined;
  const r = record as Record<string, unknown>;
  if (Array.isArray(r.keypoints)) return 'keypoints';
  if (typeof r.segmentation === 'object' && r.segmentation !== null) return 'segm';
  if (Array.isArray(r.bbox)) return 'bbox';
  return undefined;
}

/** The kind of the result record at `index`, or an InputError when it is none of the three. */
function recordKind(file: string, index: number, value: unknown): ResultKind {
  const kind = resultKindOf(value);
  if (!kind) throw new InputError(file, pathJoin('', index), 'a bbox, segm or keypoints result (bbox, segmentation or keypoints)', describe(value));
  return kind;
}

/**
 * Thrown to stop streaming once the first record has been seen. An
 * InputError, because streamJson passes those through unchanged (it turns
 * other errors into read errors); it never reaches a user.
 */
class FirstRecordSeen extends InputError {
  constructor(file: string) {
    super(file, '', 'nothing (first record seen)');
  }
}

/** The kind of a results file, from its first record (the file is read only that far). */
export async function detectResultsKind(file: string): Promise<ResultKind> {
  let kind: ResultKind | undefined;
  try {
    await streamJson(file, {
      onElement(key, index, value) {
        if (key !== null) return;
        kind = recordKind(file, index, value);
        throw new FirstRecordSeen(file);
      },
    });
  } catch (err) {
    if (!(err instanceof FirstRecordSeen)) throw err;
  }
  if (!kind) throw new InputError(file, '', 'a non-empty JSON array of results', 'no result');
  return kind;
}

/**
 * Reads the records of `imageIds` from a bbox, segm or keypoints results file.
 * `compact` keeps only what drawing needs (a server holding a whole file): no
 * `raw` record, and a keypoint result's landmarks cut to its category's.
 */
export async function readResultsForImages(file: string, imageIds: ReadonlySet<number>, options: { compact?: boolean } = {}): Promise<ImageResults> {
  let kind: ResultKind | undefined;
  const byImage = new Map<number, DetectionRecord[]>();
  const summary = await streamJson(file, {
    onElement(key, index, value) {
      if (key !== null) return;
      kind ??= recordKind(file, index, value);
      const imageId = (value as { image_id?: unknown } | null)?.image_id;
      if (typeof imageId !== 'number' || !imageIds.has(imageId)) return;
      const record = checkRecord(file, pathJoin('', index), index, value as Record<string, unknown>, kind);
      if (options.compact) compactRecord(record);
      const list = byImage.get(imageId);
      if (list) list.push(record);
      else byImage.set(imageId, [record]);
    },
  });
  if (summary.topLevel !== 'array') throw new InputError(file, '', 'a JSON array of results', 'an object');
  return { file, kind: kind ?? 'bbox', byImage };
}

/** Drops what drawing does not need; keypoints keep only the category's landmarks (see predictionItem). */
function compactRecord(record: DetectionRecord): void {
  record.raw = undefined;
  if (record.keypoints) record.keypoints = categoryLandmarks(record.categoryId, record.keypoints);
}

/** A keypoint result's landmarks of its category: results hold the whole 294-landmark vector, or only those. */
function categoryLandmarks(categoryId: number, keypoints: readonly number[]): number[] {
  const category = categoryById(categoryId)!;
  const start = keypoints.length >= (category.offset + category.landmarks) * 3 ? category.offset * 3 : 0;
  return keypoints.slice(start, start + category.landmarks * 3);
}

function checkRecord(file: string, entry: string, index: number, r: Record<string, unknown>, kind: ResultKind): DetectionRecord {
  const fail = (field: string, expected: string): never => {
    throw new InputError(file, pathJoin(entry, field), expected, describe(r[field]));
  };
  if (!Number.isInteger(r.category_id) || !categoryById(r.category_id as number)) fail('category_id', 'a category id 1..13');
  if (!isFiniteNumber(r.score)) fail('score', 'a finite number');
  const record: DetectionRecord = {
    index,
    imageId: r.image_id as number,
    categoryId: r.category_id as number,
    score: r.score as number,
    raw: r,
  };
  const bbox = r.bbox;
  if (Array.isArray(bbox) && bbox.length > 0) {
    if (bbox.length !== 4 || !bbox.every(isFiniteNumber)) fail('bbox', '[x, y, width, height] of finite numbers');
    record.bbox = bbox as unknown as Xywh;
  } else if (kind === 'bbox') fail('bbox', '[x, y, width, height] of finite numbers');
  if (kind === 'segm') {
    const s = r.segmentation as { size?: unknown; counts?: unknown } | null;
    const size = s?.size;
    if (!Array.isArray(size) || size.length !== 2 || !size.every((n) => Number.isInteger(n) && n > 0)) {
      fail('segmentation', 'an RLE {size: [height, width], counts}');
    }
    if (typeof s!.counts !== 'string' && !Array.isArray(s!.counts)) fail('segmentation', 'an RLE {size: [height, width], counts}');
    record.segmentation = { size: size as [number, number], counts: s!.counts as string | number[] };
  }
  if (kind === 'keypoints') {
    const k = r.keypoints as unknown[];
    if (!Array.isArray(k) || k.length % 3 !== 0 || !k.every(isFiniteNumber)) fail('keypoints', 'x, y, v triples of finite numbers');
    record.keypoints = k as number[];
  }
  return record;
}

/** A segm result's mask as a row-major bit mask (RLE is column-major). */
function decodeResultMask(file: string, record: DetectionRecord): { mask: BitMask; rle: Rle } {
  const seg = record.segmentation!;
  const [height, width] = seg.size;
  let rle: Rle;
  try {
    rle = typeof seg.counts === 'string' ? rleFromString(seg.counts, height, width) : { height, width, counts: Uint32Array.from(seg.counts) };
    const columnMajor = rleDecode(rle);
    const data = new Uint8Array(height * width);
    for (let x = 0; x < width; x++) {
      const column = x * height;
      for (let y = 0; y < height; y++) if (columnMajor[column + y]) data[y * width + x] = 1;
    }
    return { mask: { width, height, data }, rle };
  } catch (err) {
    if (err instanceof RleFormatError) throw new InputError(file, `[${record.index}].segmentation`, 'a valid RLE mask', err.message);
    throw err;
  }
}

/**
 * A detection as a drawable item: its box (bbox results, or the mask's
 * bounding box), mask (segm), or landmarks (keypoints: the slice of the
 * 294-landmark vector that belongs to its category).
 */
export function predictionItem(file: string, kind: ResultKind, record: DetectionRecord, verdict?: Verdict): DrawnItem {
  const category = categoryById(record.categoryId)!;
  const parts = [`${category.annotationName} ${record.score.toFixed(2)}`];
  if (verdict?.note) parts.push(verdict.note);
  const item: DrawnItem = { categoryId: record.categoryId, label: parts.join(' · ') };
  if (verdict) item.state = verdict.state;
  if (kind === 'segm') {
    const { mask, rle } = decodeResultMask(file, record);
    item.mask = mask;
    // Drawn: the box of every set pixel (the release's box may leave out a run wrapping between columns).
    item.box = record.bbox ?? rlePixelBounds(rle);
  } else if (kind === 'keypoints') {
    item.landmarks = categoryLandmarks(record.categoryId, record.keypoints!);
    item.landmarkKind = 'predicted';
  } else {
    item.box = record.bbox;
  }
  return item;
}
