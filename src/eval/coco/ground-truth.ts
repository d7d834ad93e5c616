/**
 * COCO ground truth, streamed into typed columns: one number per field and
 * annotation, landmarks kept sparse (labelled ones only), masks as RLE run
 * lengths made at load time and only when the segm task is asked for. No
 * per-annotation objects survive the load, so a train-sized file (several GB)
 * loads in bounded memory, and the result can be handed between threads
 * without copying.
 *
 * What each task reads, as the official API does:
 * - all: image ids, annotation id / image_id / category_id / area / iscrowd;
 * - bbox: bbox;  segm: segmentation (+ image height and width);
 * - keypoints: keypoints (882 numbers), num_keypoints and bbox (the OKS
 *   fallback for ground truth without labelled landmarks uses the box).
 * Fields a task does not read are neither checked nor kept.
 */
import { createHash } from 'node:crypto';
import { type JsonSource, jsonSourceName, readJsonElements } from '../../json/source.js';
import { ATTRIBUTE_NAMES, KEYPOINT_VECTOR_LENGTH, type AttributeName } from '../../schema/index.js';
import { InputError, describe, pathJoin } from '../../util/errors.js';
import { f64, i8, sharedArray, u8 } from './columns.js';
import type { CocoTask } from './params.js';
import { type MaskPart, type SegmentationBatch, SegmentationWriter, createBatchClaims, joinMaskParts, rasterizeUnclaimed } from './gt-masks.js';
import { type MaskStore, emptyMaskStore } from './mask-store.js';
import { type RecordBlocks, RecordWriter, emptyRecords } from './records.js';
import { isJsonObject as isObject, isFiniteNumber } from '../../util/json-guards.js';

export interface CocoGroundTruth {
  readonly file: string;
  /** The tasks this ground truth was loaded for (what fields it holds). */
  readonly tasks: readonly CocoTask[];
  readonly images: {
    readonly id: Float64Array;
    /** 0 when not loaded (only segm needs sizes). */
    readonly height: Float64Array;
    readonly width: Float64Array;
  };
  readonly categories: { readonly id: readonly number[]; readonly name: readonly string[] };
  readonly annotations: GroundTruthAnnotations;
  /** SHA-256 (hex) of the file's bytes, when the read was asked for it (`hashContent`; the snapshot cache keeps it). */
  readonly contentSha256?: string;
}

export interface GroundTruthAnnotations {
  readonly count: number;
  readonly id: Float64Array;
  /** Index into images. */
  readonly image: Int32Array;
  readonly category: Float64Array;
  readonly area: Float64Array;
  /** [x, y, w, h] per annotation (zeros when no loaded task reads boxes). */
  readonly bbox: Float64Array;
  readonly iscrowd: Uint8Array;
  readonly numKeypoints: Float64Array;
  /**
   * scale, occlusion, zoom_in, viewpoint per annotation (ATTRIBUTE_NAMES
   * order): 1..3, 0 = field absent, -1 = present but not an integer 1..3.
   */
  readonly attributes: Int8Array;
  /** keypoints: [landmark index, x, y] for each landmark with v > 0. */
  readonly landmarks: RecordBlocks<Float64Array>;
  /** segm: the segmentations as read, in batches (null when segm was not loaded). */
  readonly segmentations: readonly SegmentationBatch[] | null;
  /**
   * segm: one RLE per annotation, with the RLE's own size. Empty until the
   * segmentations are rasterized (see rasterizeGroundTruth; the loaders do it).
   */
  masks: MaskStore;
}

interface GroundTruthReadOptions {
  /** Tasks to load for; default all three. */
  tasks?: readonly CocoTask[];
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  /** segm: called with each batch of segmentations as soon as it can be rasterized (see gt-masks.ts). */
  onSegmentationBatch?: (batch: SegmentationBatch) => void;
  /** Also hash the file's bytes on the same pass (CocoGroundTruth.contentSha256). */
  hashContent?: boolean;
}

const COCO_KEYS = ['images', 'annotations', 'categories'] as const;
const NOT_COCO = 'a COCO ground-truth object with "images", "annotations" and "categories" arrays';

/**
 * Reads and checks COCO ground truth, a file or an object in memory; InputError names the file (or the
 * object's name), entry and field of the first problem.
 */
export async function readCocoGroundTruth(source: JsonSource, options: GroundTruthReadOptions = {}): Promise<CocoGroundTruth> {
  const file = jsonSourceName(source);
  const tasks = options.tasks ?? ['bbox', 'segm', 'keypoints'];
  const needBoxes = tasks.includes('bbox') || tasks.includes('keypoints');
  const needMasks = tasks.includes('segm');
  const needLandmarks = tasks.includes('keypoints');

  const imageId = f64();
  const imageHeight = f64();
  const imageWidth = f64();
  const imageIndex = new Map<number, number>();

  const annId = f64();
  const annImageId = f64();
  const annCategory = f64();
  const annArea = f64();
  const annBbox = f64();
  const annCrowd = u8();
  const annNumKeypoints = f64();
  const annAttributes = i8();
  const landmarks = new RecordWriter(Float64Array, 1 << 16);
  const segmentations = new SegmentationWriter(options.onSegmentationBatch);
  const idsSeen = new Set<number>();

  const categoryIds: number[] = [];
  const categoryNames: string[] = [];
  const seen = new Set<string>();

  const fail = (entry: string, expected: string, value: unknown): never => {
    throw new InputError(file, entry, expected, describe(value));
  };

  const onImage = (index: number, value: unknown): void => {
    const at = pathJoin('images', index);
    if (!isObject(value)) fail(at, 'an image object', value);
    const image = value as Record<string, unknown>;
    const id = image.id;
    if (!isFiniteNumber(id)) fail(pathJoin(at, 'id'), 'a number', id);
    if (imageIndex.has(id as number)) fail(pathJoin(at, 'id'), 'an id not used by another image', id);
    let height = 0;
    let width = 0;
    if (needMasks) {
      const h = image.height;
      const w = image.width;
      if (!isFiniteNumber(h) || !Number.isInteger(h) || h <= 0) fail(pathJoin(at, 'height'), 'a positive integer', h);
      if (!isFiniteNumber(w) || !Number.isInteger(w) || w <= 0) fail(pathJoin(at, 'width'), 'a positive integer', w);
      height = h as number;
      width = w as number;
    }
    imageIndex.set(id as number, imageId.length);
    imageId.push(id as number);
    imageHeight.push(height);
    imageWidth.push(width);
  };

  const onAnnotation = (index: number, value: unknown): void => {
    const at = pathJoin('annotations', index);
    if (!isObject(value)) fail(at, 'an annotation object', value);
    const ann = value as Record<string, unknown>;
    const id = ann.id;
    if (!isFiniteNumber(id)) fail(pathJoin(at, 'id'), 'a number', id);
    if (idsSeen.has(id as number)) fail(pathJoin(at, 'id'), 'an id not used by another annotation', id);
    idsSeen.add(id as number);
    const image = ann.image_id;
    if (!isFiniteNumber(image)) fail(pathJoin(at, 'image_id'), 'a number', image);
    const category = ann.category_id;
    if (!isFiniteNumber(category)) fail(pathJoin(at, 'category_id'), 'a number', category);
    const area = ann.area;
    if (!isFiniteNumber(area)) fail(pathJoin(at, 'area'), 'a finite number', area);
    const crowd = ann.iscrowd;
    let iscrowd = 0;
    if (crowd === 1 || crowd === true) iscrowd = 1;
    else if (!(crowd === 0 || crowd === false || crowd === undefined)) fail(pathJoin(at, 'iscrowd'), '0 or 1', crowd);

    annId.push(id as number);
    annImageId.push(image as number);
    annCategory.push(category as number);
    annArea.push(area as number);
    annCrowd.push(iscrowd);

    if (needBoxes) {
      const bbox = ann.bbox;
      if (!Array.isArray(bbox) || bbox.length !== 4) fail(pathJoin(at, 'bbox'), '[x, y, width, height] (4 finite numbers)', bbox);
      const bad = (bbox as unknown[]).findIndex((v) => !isFiniteNumber(v));
      if (bad >= 0) fail(pathJoin(pathJoin(at, 'bbox'), bad), 'a finite number (bbox is [x, y, width, height])', (bbox as unknown[])[bad]);
      annBbox.pushFrom(bbox as number[], 0, 4);
    } else {
      for (let k = 0; k < 4; k++) annBbox.push(0);
    }

    for (const name of ATTRIBUTE_NAMES) {
      const v = ann[name];
      annAttributes.push(v === undefined ? 0 : v === 1 || v === 2 || v === 3 ? v : -1);
    }

    if (needLandmarks) {
      const n = ann.num_keypoints;
      if (!isFiniteNumber(n)) fail(pathJoin(at, 'num_keypoints'), 'a number', n);
      annNumKeypoints.push(n as number);
      const kps = ann.keypoints;
      if (!Array.isArray(kps) || kps.length !== KEYPOINT_VECTOR_LENGTH) {
        fail(pathJoin(at, 'keypoints'), `${KEYPOINT_VECTOR_LENGTH} numbers ([x, y, v] for each of the 294 landmarks)`, kps);
      }
      const list = kps as unknown[];
      let labelled = 0;
      for (let j = 0; j < KEYPOINT_VECTOR_LENGTH; j++) {
        const v = list[j];
        if (!isFiniteNumber(v)) fail(pathJoin(pathJoin(at, 'keypoints'), j), 'a finite number', v);
        if (j % 3 === 2 && (v as number) > 0) labelled++;
      }
      landmarks.appendWith(labelled * 3, (target, start) => {
        let w = start;
        for (let k = 0; k < KEYPOINT_VECTOR_LENGTH / 3; k++) {
          if ((list[3 * k + 2] as number) > 0) {
            target[w++] = k;
            target[w++] = list[3 * k] as number;
            target[w++] = list[3 * k + 1] as number;
          }
        }
      });
    } else {
      annNumKeypoints.push(0);
    }

    if (needMasks) {
      const segmentation = ann.segmentation;
      if (segmentation === undefined) fail(pathJoin(at, 'segmentation'), 'a polygon list or an RLE', segmentation);
      const imageAt = imageIndex.get(image as number);
      if (imageAt === undefined) segmentations.add(segmentation, NaN, NaN);
      else segmentations.add(segmentation, imageHeight.at(imageAt), imageWidth.at(imageAt));
    }
  };

  const onCategory = (index: number, value: unknown): void => {
    const at = pathJoin('categories', index);
    if (!isObject(value)) fail(at, 'a category object', value);
    const category = value as Record<string, unknown>;
    const id = category.id;
    if (!isFiniteNumber(id)) fail(pathJoin(at, 'id'), 'a number', id);
    if (categoryIds.includes(id as number)) fail(pathJoin(at, 'id'), 'an id not used by another category', id);
    categoryIds.push(id as number);
    categoryNames.push(typeof category.name === 'string' ? category.name : String(id));
  };

  const hash = options.hashContent ? createHash('sha256') : undefined;
  let topLevelArray = false;
  const summary = await readJsonElements(source, {
    onElement(key, index, value) {
      if (key === null) {
        topLevelArray = true;
        throw new InputError(file, '', NOT_COCO, 'a JSON array (is this a results file?)');
      }
      if (key === 'images') onImage(index, value);
      else if (key === 'annotations') onAnnotation(index, value);
      else if (key === 'categories') onCategory(index, value);
      seen.add(key);
    },
    onValue(key, value) {
      if ((COCO_KEYS as readonly string[]).includes(key)) fail(key, 'an array', value);
    },
    onProgress: options.onProgress,
    onChunk: hash && ((chunk) => hash.update(chunk)),
  });
  if (topLevelArray || summary.topLevel !== 'object') throw new InputError(file, '', NOT_COCO, 'a JSON array');
  for (const key of COCO_KEYS) {
    if (!summary.keys.includes(key)) throw new InputError(file, key, NOT_COCO, `no "${key}"`);
  }

  // Links that the file order may not allow checking on the fly.
  const count = annId.length;
  const annImageIds = annImageId.finish();
  const annCategories = annCategory.finish();
  const image = sharedArray(Int32Array, count);
  const categorySet = new Set(categoryIds);
  for (let i = 0; i < count; i++) {
    const at = imageIndex.get(annImageIds[i]!);
    if (at === undefined) fail(pathJoin(pathJoin('annotations', i), 'image_id'), 'the id of an image in "images"', annImageIds[i]);
    image[i] = at!;
    if (!categorySet.has(annCategories[i]!))
      fail(pathJoin(pathJoin('annotations', i), 'category_id'), 'the id of a category in "categories"', annCategories[i]);
  }

  const heights = imageHeight.finish();
  const widths = imageWidth.finish();
  return {
    file,
    tasks: [...tasks],
    images: { id: imageId.finish(), height: heights, width: widths },
    categories: { id: categoryIds, name: categoryNames },
    annotations: {
      count,
      id: annId.finish(),
      image,
      category: annCategories,
      area: annArea.finish(),
      bbox: annBbox.finish(),
      iscrowd: annCrowd.finish(),
      numKeypoints: annNumKeypoints.finish(),
      attributes: annAttributes.finish(),
      landmarks: needLandmarks ? landmarks.finish() : emptyRecords<Float64Array>(),
      segmentations: needMasks ? segmentations.finish((i) => [heights[image[i]!]!, widths[image[i]!]!]) : null,
      masks: emptyMaskStore(),
    },
    ...(hash && { contentSha256: hash.digest('hex') }),
  };
}

/**
 * Image id -> index into gt.images (-1 for an id the ground truth does not
 * have; an id listed twice is its last index). When the ids are consecutive
 * integers, as converters number images, the index is arithmetic: no Map of
 * every image to build before results can be linked.
 */
export class ImageIndex {
  private readonly first: number;
  private readonly map: Map<number, number> | null = null;

  constructor(private readonly ids: Float64Array) {
    this.first = ids.length > 0 ? ids[0]! : 0;
    let consecutive = Number.isInteger(this.first);
    for (let i = 1; i < ids.length && consecutive; i++) consecutive = ids[i] === this.first + i;
    if (!consecutive) {
      this.map = new Map();
      for (let i = 0; i < ids.length; i++) this.map.set(ids[i]!, i);
    }
  }

  of(id: number): number {
    if (this.map) return this.map.get(id) ?? -1;
    const at = id - this.first;
    return at >= 0 && at < this.ids.length && Number.isInteger(at) ? at | 0 : -1; // | 0: an index, never -0
  }
}

export function imageIndexById(gt: CocoGroundTruth): ImageIndex {
  return new ImageIndex(gt.images.id);
}

/** Lowest index of an annotation (of those listed, default all) without a valid value of attribute number `attribute`, or -1. */
export function firstMissingAttribute(gt: CocoGroundTruth, attribute: number, annotations?: ArrayLike<number>): number {
  const values = gt.annotations.attributes;
  const n = annotations ? annotations.length : gt.annotations.count;
  let first = -1;
  for (let j = 0; j < n; j++) {
    const i = annotations ? annotations[j]! : j;
    if (values[i * ATTRIBUTE_NAMES.length + attribute]! <= 0 && (first < 0 || i < first)) first = i;
  }
  return first;
}

/**
 * Makes the ground truth's masks (segm) from its segmentations in this
 * thread: every batch not yet claimed in `claims` (shared with other threads
 * doing the same; default: all of them). Returns this thread's part.
 */
export function rasterizeGroundTruth(gt: CocoGroundTruth, claims: Int32Array = createBatchClaims()): MaskPart {
  if (!gt.annotations.segmentations) throw new Error('rasterizeGroundTruth: the ground truth was loaded without segm');
  return rasterizeUnclaimed(gt.file, gt.annotations.segmentations, claims).finish();
}

/** Sets gt.annotations.masks from the parts made by rasterizeGroundTruth. */
export function attachMasks(gt: CocoGroundTruth, parts: readonly MaskPart[]): CocoGroundTruth {
  gt.annotations.masks = joinMaskParts(gt.annotations.count, parts);
  return gt;
}

/** The error for ground truth without the attribute a breakdown needs (annotation i is the first without it). */
export function missingAttributeError(gt: CocoGroundTruth, attribute: AttributeName, i: number): InputError {
  const value = gt.annotations.attributes[i * ATTRIBUTE_NAMES.length + ATTRIBUTE_NAMES.indexOf(attribute)];
  return new InputError(
    gt.file,
    `annotations[${i}].${attribute}`,
    `"${attribute}" (1..3) on every annotation to evaluate by it (write the ground truth with \`df2 convert coco --attributes\`)`,
    value === 0 ? 'no such field' : 'a value outside 1..3',
  );
}

/** Throws missingAttributeError unless every annotation carries each attribute. */
export function requireAttributes(gt: CocoGroundTruth, attributes: readonly AttributeName[]): void {
  for (const attribute of attributes) {
    const missing = firstMissingAttribute(gt, ATTRIBUTE_NAMES.indexOf(attribute));
    if (missing >= 0) throw missingAttributeError(gt, attribute, missing);
  }
}
