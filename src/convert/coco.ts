/**
 * DeepFashion2 annotations as COCO ground truth, entry for entry what the
 * release's evaluation/deepfashion2_to_coco.py writes (the file that the
 * official evaluation reads): the parity rules are in DESIGN.md, item 1.
 *
 * - image: fixed empty url/date fields, license 0, the size from the image header;
 * - annotation: bbox [x, y, w, h] from the corners, area = w * h (the box, not
 *   the mask), the item's landmarks at its category's offset in the 882-long
 *   keypoint vector, num_keypoints = landmarks with v > 0, ids counting up over
 *   the split in image order and, inside a file, in the file's key order;
 * - categories: the COCO names, supercategory "clothes", keypoints "1".."294".
 *
 * These are pure functions of one record; coco-writer.ts streams them to a file.
 */
import type { ImageRecord, Item } from '../schema/index.js';
import { CATEGORIES, KEYPOINT_VECTOR_LENGTH, TOTAL_LANDMARKS, categoryById } from '../schema/index.js';

export type LandmarkSelection = 'all' | 'visible';

export interface CocoOptions {
  /**
   * 'visible' keeps only v = 2 landmarks (the others become 0, 0, 0).
   * @default 'all'
   */
  landmarks?: LandmarkSelection;
  /**
   * Adds scale, occlusion, zoom_in and viewpoint to every annotation (for per-attribute evaluation).
   * @default false
   */
  attributes?: boolean;
}

export interface CocoImage {
  coco_url: string;
  date_captured: string;
  file_name: string;
  flickr_url: string;
  id: number;
  license: number;
  width: number;
  height: number;
}

export interface CocoAnnotation {
  area: number;
  bbox: [number, number, number, number];
  category_id: number;
  id: number;
  pair_id: number;
  image_id: number;
  iscrowd: 0;
  style: number;
  num_keypoints: number;
  /** 882 numbers; written as floats (the release builds them with numpy). */
  keypoints: number[];
  segmentation: number[][];
  scale?: number;
  occlusion?: number;
  zoom_in?: number;
  viewpoint?: number;
}

export interface CocoCategory {
  id: number;
  name: string;
  supercategory: 'clothes';
  keypoints: string[];
  skeleton: [];
}

/** The image entry, keys in the release's order. */
export function cocoImage(record: Pick<ImageRecord, 'id' | 'name' | 'width' | 'height'>): CocoImage {
  return {
    coco_url: '',
    date_captured: '',
    file_name: `${record.name}.jpg`,
    flickr_url: '',
    id: record.id,
    license: 0,
    width: record.width,
    height: record.height,
  };
}

/** The item's landmarks placed at its category's offset in the 882-long vector, filtered as asked. */
export function keypointVector(item: Pick<Item, 'categoryId' | 'landmarks'>, selection: LandmarkSelection = 'all'): { keypoints: number[]; count: number } {
  const category = categoryById(item.categoryId);
  if (!category) throw new RangeError(`category_id ${item.categoryId} is not 1..13`);
  const keypoints = new Array<number>(KEYPOINT_VECTOR_LENGTH).fill(0);
  let count = 0;
  const base = category.offset * 3;
  for (let i = 0; i + 2 < item.landmarks.length && i < category.landmarks * 3; i += 3) {
    const v = item.landmarks[i + 2]!;
    if (selection === 'visible' && v !== 2) continue;
    keypoints[base + i] = item.landmarks[i]!;
    keypoints[base + i + 1] = item.landmarks[i + 1]!;
    keypoints[base + i + 2] = v;
    if (v > 0) count++;
  }
  return { keypoints, count };
}

/** One annotation, keys in the release's order (attributes, when asked, last). */
export function cocoAnnotation(record: Pick<ImageRecord, 'id' | 'pairId'>, item: Item, id: number, options: CocoOptions = {}): CocoAnnotation {
  const [x1, y1, x2, y2] = item.boundingBox;
  const w = x2 - x1;
  const h = y2 - y1;
  const { keypoints, count } = keypointVector(item, options.landmarks ?? 'all');
  const annotation: CocoAnnotation = {
    area: w * h,
    bbox: [x1, y1, w, h],
    category_id: item.categoryId,
    id,
    pair_id: record.pairId,
    image_id: record.id,
    iscrowd: 0,
    style: item.style,
    num_keypoints: count,
    keypoints,
    segmentation: item.segmentation,
  };
  if (options.attributes) {
    annotation.scale = item.scale;
    annotation.occlusion = item.occlusion;
    annotation.zoom_in = item.zoomIn;
    annotation.viewpoint = item.viewpoint;
  }
  return annotation;
}

/** The 13 categories as the release writes them: every one lists all 294 keypoint names. */
export function cocoCategories(): CocoCategory[] {
  const keypointNames = Array.from({ length: TOTAL_LANDMARKS }, (_, i) => String(i + 1));
  return CATEGORIES.map((c) => ({
    id: c.id,
    name: c.cocoName,
    supercategory: 'clothes',
    keypoints: [...keypointNames],
    skeleton: [],
  }));
}
