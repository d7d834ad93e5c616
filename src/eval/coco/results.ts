/**
 * A COCO results file (a list of detections), streamed into typed columns
 * and read by the official loader's rules (loadRes of the release's
 * pycocotools), which depend on the FIRST result:
 * - it has a non-empty `bbox`: every result is a box result; area = w * h and
 *   the segmentation, when absent, is the box as a polygon. A `segmentation`
 *   that is present is kept, but the area still comes from the box
 *   (detectron2 writes both).
 * - else it has a `segmentation`: mask results (compressed RLE); area = mask
 *   area, bbox = the given one or the mask's bounding box.
 * - else it has `keypoints`: bbox and area from the min and max over all 294
 *   x and y values, zeros included.
 * Result i gets id i + 1. Landmarks are kept as exact doubles (x and y only;
 * the official OKS never reads a detection's v). Checks against the ground
 * truth (image ids, categories, mask sizes) happen in linkResults, so that
 * results can be read while the ground truth is still loading.
 */
import { statSync } from 'node:fs';
import { type JsonSource, jsonSourceName, readJsonElements } from '../../json/source.js';
import { type JsonStreamHandlers, type JsonStreamSummary, streamJson } from '../../json/stream.js';
import { type Rle, RleFormatError, rleArea, rleFromSegmentation, rleFromString, rleToBbox } from '../../mask/index.js';
import { KEYPOINT_VECTOR_LENGTH } from '../../schema/index.js';
import { InputError, describe, pathJoin } from '../../util/errors.js';
import { type CocoGroundTruth, type ImageIndex, imageIndexById } from './ground-truth.js';
import { type MaskStore, maskOf, patchMasks } from './mask-store.js';
import type { CocoTask } from './params.js';
import type { LandmarkWindows } from './landmark-windows.js';
import { FastResultReader, MaskSource, ResultColumns, keypointExtents } from './results-fast.js';
import { SecondHalf, type SplitPoint, StopAtSecondHalf } from './results-split.js';
import { isJsonObject as isObject, isFiniteNumber } from '../../util/json-guards.js';

/** How the official loader read the file, decided by its first result. */
export type ResultKind = 'box' | 'mask' | 'keypoints' | 'empty';

/** Whether result i's mask is its box (a box result without a segmentation, for the segm task). */
export function boxStandsInForMask(results: CocoResultsData, i: number): boolean {
  return results.maskSource[i] === MaskSource.Box;
}

export interface CocoResultsData {
  readonly file: string;
  readonly tasks: readonly CocoTask[];
  readonly kind: ResultKind;
  readonly count: number;
  readonly imageId: Float64Array;
  readonly categoryId: Float64Array;
  readonly score: Float64Array;
  readonly area: Float64Array;
  /** [x, y, w, h] per result. */
  readonly bbox: Float64Array;
  /** keypoints task: x, y of the 294 landmarks per result, by window (see landmark-windows.ts). */
  readonly keypoints: LandmarkWindows;
  /** segm task: one RLE per result (placeholders where maskSource is not Decoded). */
  readonly masks: MaskStore;
  readonly maskSource: Uint8Array;
  readonly pendingMasks: Map<number, unknown>;
}

/** Results checked against a ground truth: every result names a known image and category, masks have the image's size. */
export interface CocoResults extends CocoResultsData {
  /** Index into gt.images per result. */
  readonly image: Int32Array;
}

interface ResultsReadOptions {
  /** Tasks the results will be evaluated for (what to check and keep); default all three. */
  tasks?: readonly CocoTask[];
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  /**
   * A results file of at least this many bytes is read on
   * two threads (results-split.ts); Infinity: on this one alone.
   * @default 64 MiB
   */
  secondThreadFrom?: number;
  /**
   * Where that thread begins (results-split.ts): 'middle' is for tests, where
   * the first reader of a small file would be done before the other started.
   * @default 'rest'
   */
  secondThreadSplit?: SplitPoint;
}

const NO_BOX = [NaN, NaN, NaN, NaN];
const NOT_RESULTS = 'a JSON array of results ({"image_id", "category_id", "score", ...})';

/** Reads and checks COCO results, a file or an array in memory (InputError names the file or the array's name). */
export async function readCocoResults(source: JsonSource, options: ResultsReadOptions = {}): Promise<CocoResultsData> {
  const file = jsonSourceName(source);
  const tasks = options.tasks ?? ['bbox', 'segm', 'keypoints'];
  const wantBoxes = tasks.includes('bbox');
  const wantMasks = tasks.includes('segm');
  const wantKeypoints = tasks.includes('keypoints');

  let kind: ResultKind = 'empty';
  const columns = new ResultColumns();
  const { imageId, categoryId, score, area, bbox, keypoints } = columns;
  const { masks, maskSource } = columns;
  const pendingMasks = new Map<number, unknown>();

  const fail = (entry: string, expected: string, value: unknown): never => {
    throw new InputError(file, entry, expected, describe(value));
  };

  const readBox = (at: string, value: unknown): number[] => {
    if (!Array.isArray(value) || value.length !== 4) fail(pathJoin(at, 'bbox'), '[x, y, width, height] (4 finite numbers)', value);
    // The element itself is named: "an array of 4" would not say which of the four is wrong.
    const bad = (value as unknown[]).findIndex((v) => !isFiniteNumber(v));
    if (bad >= 0) fail(pathJoin(pathJoin(at, 'bbox'), bad), 'a finite number (bbox is [x, y, width, height])', (value as unknown[])[bad]);
    const box = value as number[];
    if (box[2]! < 0 || box[3]! < 0) throw new InputError(file, pathJoin(at, 'bbox'), 'a width and height >= 0', `[${box.join(', ')}]`);
    return box;
  };

  /** Min x, min y, max x, max y of the last keypoint vector scanned (keypoint results take their box from them). */
  const extents = new Float64Array(4);
  /** Checks a keypoint vector (882 finite numbers) and takes the extents of its x and y. */
  const scanKeypoints = (at: string, value: unknown): void => {
    if (!Array.isArray(value) || value.length !== KEYPOINT_VECTOR_LENGTH) {
      fail(pathJoin(at, 'keypoints'), `${KEYPOINT_VECTOR_LENGTH} numbers ([x, y, v] for each of the 294 landmarks)`, value);
    }
    const list = value as unknown[];
    const bad = list.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) fail(pathJoin(pathJoin(at, 'keypoints'), bad), 'a finite number', list[bad]);
    keypointExtents(list as number[], 0, extents);
  };

  const readCompressedRle = (at: string, value: unknown): Rle => {
    const where = pathJoin(at, 'segmentation');
    const expected = 'a compressed RLE {"size": [height, width], "counts": string}';
    if (!isObject(value)) fail(where, expected, value);
    const rle = value as Record<string, unknown>;
    const size = rle.size;
    if (!Array.isArray(size) || size.length !== 2 || !size.every(isFiniteNumber)) fail(pathJoin(where, 'size'), '[height, width]', size);
    if (typeof rle.counts !== 'string') fail(pathJoin(where, 'counts'), 'a compressed RLE string', rle.counts);
    try {
      return rleFromString(rle.counts as string, (size as number[])[0]!, (size as number[])[1]!);
    } catch (err) {
      if (err instanceof RleFormatError) throw new InputError(file, where, expected, err.reason);
      throw err;
    }
  };

  /** The segmentation for the segm task, given the loader's reading of the result. */
  const keepMask = (index: number, at: string, value: unknown, fromBox: boolean, decoded?: Rle): void => {
    if (decoded) {
      masks.append(decoded);
      maskSource.push(MaskSource.Decoded);
    } else if (value === undefined && fromBox) {
      masks.appendPlaceholder();
      maskSource.push(MaskSource.Box);
    } else if (value === undefined) {
      fail(pathJoin(at, 'segmentation'), 'a segmentation (the segm task reads it)', value);
    } else if (isObject(value) && typeof value.counts === 'string') {
      masks.append(readCompressedRle(at, value));
      maskSource.push(MaskSource.Decoded);
    } else {
      pendingMasks.set(index, value);
      masks.appendPlaceholder();
      maskSource.push(MaskSource.Pending);
    }
  };

  const onResult = (index: number, value: unknown): void => {
    const at = `[${index}]`;
    if (!isObject(value)) fail(at, 'a result object', value);
    const result = value as Record<string, unknown>;
    if (index === 0) {
      const box = result.bbox;
      if (box !== undefined && !(Array.isArray(box) && box.length === 0)) kind = 'box';
      else if (result.segmentation !== undefined) kind = 'mask';
      else if (result.keypoints !== undefined) kind = 'keypoints';
      else fail(at, 'a result with "bbox", "segmentation" or "keypoints"', value);
      // A large results file: another thread reads its second half meanwhile.
      // (Keypoint results have no segmentation for the segm task: the first thread names that at once.)
      // The file's size, once: it decides the second thread and sizes the columns.
      fileBytes = typeof source === 'string' ? (statSync(source, { throwIfNoEntry: false })?.size ?? 0) : 0;
      if (typeof source === 'string' && kind !== 'empty' && !(wantMasks && kind === 'keypoints'))
        secondHalf = SecondHalf.startIfLarge(
          source,
          fileBytes,
          { kind, keepKeypoints: wantKeypoints, keepMasks: wantMasks, keepBoxes: wantBoxes },
          options.secondThreadFrom,
          options.secondThreadSplit,
        );
    }
    const image = result.image_id;
    if (!isFiniteNumber(image)) fail(pathJoin(at, 'image_id'), 'a number', image);
    const category = result.category_id;
    if (!isFiniteNumber(category)) fail(pathJoin(at, 'category_id'), 'a number', category);
    const s = result.score;
    if (!isFiniteNumber(s)) fail(pathJoin(at, 'score'), 'a finite number', s);
    imageId.push(image as number);
    categoryId.push(category as number);
    score.push(s as number);

    if (wantKeypoints) {
      scanKeypoints(at, result.keypoints);
      keypoints.append(result.keypoints as number[], 0);
    }
    if (kind === 'box') {
      const box = readBox(at, result.bbox);
      bbox.pushFrom(box, 0, 4);
      area.push(box[2]! * box[3]!);
      if (wantMasks) keepMask(index, at, result.segmentation, true);
    } else if (kind === 'mask') {
      const rle = readCompressedRle(at, result.segmentation);
      area.push(rleArea(rle));
      // Only the bbox task reads a mask result's box.
      const given = result.bbox;
      if (given !== undefined && !(Array.isArray(given) && given.length === 0)) bbox.pushFrom(readBox(at, given), 0, 4);
      else if (wantBoxes) bbox.pushFrom(rleToBbox(rle), 0, 4);
      else bbox.pushFrom(NO_BOX, 0, 4);
      if (wantMasks) keepMask(index, at, undefined, false, rle);
    } else {
      if (!wantKeypoints) scanKeypoints(at, result.keypoints);
      columns.pushExtentsBox(extents);
      if (wantMasks) keepMask(index, at, result.segmentation, false);
    }
  };

  /**
   * The same reading straight from the element's bytes, for the common
   * element: every check passes and nothing needs a JS object. It declines
   * (-1) whatever it does not read exactly as onResult would, before
   * appending anything, and onResult then reads the element or names its
   * problem: the first result (it decides the kind), mask results, any
   * missing, non-finite or misshapen value, a segmentation where masks are
   * kept.
   */
  /** The results file's size in bytes (0 for values given in memory), read at its first result. */
  let fileBytes = 0;
  let fast: FastResultReader | undefined;
  const onResultBytes = (index: number, bytes: Buffer, start: number, limit: number): number => {
    if (index === 0 || kind === 'empty') return -1;
    fast ??= new FastResultReader({ kind, keepKeypoints: wantKeypoints, keepMasks: wantMasks, keepBoxes: wantBoxes }, columns, fileBytes);
    return fast.read(bytes, start, limit);
  };
  let sawObject = false;
  let secondHalf: SecondHalf | undefined;
  const handlers: JsonStreamHandlers = {
    onElementBytes: (key, index, bytes, start, limit, offset) => {
      if (key !== null) return -1;
      if (secondHalf?.reached(offset)) throw new StopAtSecondHalf(offset, index);
      return onResultBytes(index, bytes, start, limit);
    },
    onElement(key, index, value) {
      if (key !== null) {
        sawObject = true;
        throw new InputError(file, '', NOT_RESULTS, 'a JSON object (is this a ground-truth file?)');
      }
      onResult(index, value);
    },
    onValue() {
      sawObject = true;
    },
    onProgress: options.onProgress,
  };
  let summary: JsonStreamSummary;
  try {
    summary = await readJsonElements(source, handlers);
  } catch (err) {
    if (!(err instanceof StopAtSecondHalf)) throw err;
    summary = await readSecondHalf(err);
  } finally {
    // Still running after an error, or never arrived at.
    if (secondHalf) secondHalf.abandon();
  }
  async function readSecondHalf(stop: StopAtSecondHalf): Promise<JsonStreamSummary> {
    const half = await secondHalf!.take();
    secondHalf = undefined;
    if (!half) return streamJson(file, handlers, { resume: { offset: stop.offset, index: stop.index } });
    columns.appendFinished(half, wantKeypoints);
    return { topLevel: 'array', keys: [], counts: new Map([['', stop.index + half.count]]) };
  }
  if (sawObject || summary.topLevel !== 'array') throw new InputError(file, '', NOT_RESULTS, 'a JSON object (is this a ground-truth file?)');

  return {
    file,
    tasks: [...tasks],
    kind,
    ...columns.finish(wantKeypoints),
    pendingMasks,
  };
}

/**
 * Results naming images the ground truth does not have: an InputError naming the first (its entry and id), which
 * also counts them all, so that a caller that must not tell which image ids the ground truth holds (a challenge
 * phase whose figures are hidden) can say how many instead.
 */
export class UnknownImageIdError extends InputError {
  constructor(
    file: string,
    entry: string,
    expected: string,
    found: string,
    /** Distinct image ids of the results that are not the ground truth's. */
    readonly unknownImageIds: number,
    /** Results with such an image id. */
    readonly unknownResults: number,
  ) {
    super(file, entry, expected, found);
  }
}

function unknownImageIdError(file: string, gtFile: string, first: number, data: CocoResultsData, images: ImageIndex): UnknownImageIdError {
  const unknown = new Set<number>();
  let results = 0;
  for (let i = first; i < data.count; i++) {
    const id = data.imageId[i]!;
    if (images.of(id) >= 0) continue;
    unknown.add(id);
    results++;
  }
  return new UnknownImageIdError(
    file,
    `[${first}].image_id`,
    `the id of an image of the ground truth (${gtFile})`,
    describe(data.imageId[first]),
    unknown.size,
    results,
  );
}

/**
 * Checks results against the ground truth as the official loader does (every
 * image id must be one of the ground truth's) and more strictly (categories
 * must be the ground truth's; masks must have their image's size), and makes
 * the masks that need the image size (box polygons, polygon lists,
 * uncompressed RLE).
 */
export function linkResults(gt: CocoGroundTruth, data: CocoResultsData): CocoResults {
  const { file, count } = data;
  const images = imageIndexById(gt);
  const categories = new Set(gt.categories.id);
  const image = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const at = images.of(data.imageId[i]!);
    if (at < 0) throw unknownImageIdError(file, gt.file, i, data, images);
    image[i] = at;
    if (!categories.has(data.categoryId[i]!)) {
      throw new InputError(file, `[${i}].category_id`, `a category id of the ground truth (${gt.categories.id.join(', ')})`, describe(data.categoryId[i]));
    }
  }
  let masks = data.masks;
  if (data.tasks.includes('segm')) {
    if (!gt.tasks.includes('segm')) throw new Error('linkResults: the ground truth was not loaded for segm');
    const heights = gt.images.height;
    const widths = gt.images.width;
    const made = (i: number): Rle | undefined => {
      const h = heights[image[i]!]!;
      const w = widths[image[i]!]!;
      const source = data.maskSource[i]!;
      if (source === MaskSource.Decoded) return undefined;
      let value = data.pendingMasks.get(i);
      if (source === MaskSource.Box) {
        const [x, y, bw, bh] = data.bbox.subarray(4 * i, 4 * i + 4);
        value = [[x!, y!, x!, y! + bh!, x! + bw!, y! + bh!, x! + bw!, y!]];
      }
      try {
        return rleFromSegmentation(value, h, w);
      } catch (err) {
        if (err instanceof RleFormatError) throw new InputError(file, `[${i}].segmentation`, 'a polygon list or an RLE', err.reason);
        throw err;
      }
    };
    const needsMaking = data.maskSource.some((s) => s !== MaskSource.Decoded);
    if (needsMaking) masks = patchMasks(masks, count, made);
    for (let i = 0; i < count; i++) {
      const h = heights[image[i]!]!;
      const w = widths[image[i]!]!;
      if (masks.height[i] !== h || masks.width[i] !== w) {
        throw new InputError(file, `[${i}].segmentation.size`, `the size of image ${data.imageId[i]} [${h}, ${w}]`, `[${masks.height[i]}, ${masks.width[i]}]`);
      }
    }
  }
  return { ...data, masks, image };
}

export { maskOf };
