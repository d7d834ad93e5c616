/**
 * The DeepFashion2 category and landmark layout, loaded from one data file
 * (landmarks.json, a copy of the reference layout) so that every module uses
 * the same ids, names, offsets, sigmas, flip pairs and skeletons.
 */
import layout from './landmarks.json' with { type: 'json' };

export interface Category {
  /** 1..13 */
  readonly id: number;
  /** Name written by the official COCO converter, e.g. "short_sleeved_shirt". */
  readonly cocoName: string;
  /** Name written in the release's per-image annotation files, e.g. "short sleeve top". */
  readonly annotationName: string;
  /** Number of landmarks of this category. */
  readonly landmarks: number;
  /** 0-based offset of this category's first landmark in the 294-long vector. */
  readonly offset: number;
  /** 1-based landmark numbers within the category, left/right swapped by a horizontal flip. */
  readonly flipPairs: ReadonlyArray<readonly [number, number]>;
  /** 1-based landmark numbers within the category, joined by lines when drawn. */
  readonly skeleton: ReadonlyArray<readonly [number, number]>;
}

interface RawCategory {
  id: number;
  coco_name: string;
  annotation_name: string;
  landmarks: number;
  offset: number;
  flip_pairs: number[][];
  skeleton: number[][];
}

const pair = (p: number[]): readonly [number, number] => [p[0]!, p[1]!] as const;

export const CATEGORIES: readonly Category[] = (layout.categories as RawCategory[]).map((c) => ({
  id: c.id,
  cocoName: c.coco_name,
  annotationName: c.annotation_name,
  landmarks: c.landmarks,
  offset: c.offset,
  flipPairs: c.flip_pairs.map(pair),
  skeleton: c.skeleton.map(pair),
}));

/** Total landmarks over all categories: the length of the COCO keypoint vector / 3. */
export const TOTAL_LANDMARKS: number = layout.total_landmarks;
/** Length of a COCO keypoints vector (x, y, v per landmark). */
export const KEYPOINT_VECTOR_LENGTH = TOTAL_LANDMARKS * 3;
/** The 294 per-landmark OKS constants of the official evaluation. */
/**
 * For each of the 294 positions, the position it becomes in a horizontally
 * flipped image: its category's left/right partner (the flip pairs of the
 * layout), or itself. Ultralytics' flip_idx and coco-analyze's inv_idx are
 * this permutation.
 *
 * @example
 * LANDMARK_FLIP[1]; // 5: a short sleeve top's landmark 2 becomes its landmark 6
 */
export const LANDMARK_FLIP: readonly number[] = (() => {
  const flip = Array.from({ length: TOTAL_LANDMARKS }, (_, i) => i);
  for (const category of CATEGORIES) {
    for (const [a, b] of category.flipPairs) {
      flip[category.offset + a - 1] = category.offset + b - 1;
      flip[category.offset + b - 1] = category.offset + a - 1;
    }
  }
  return flip;
})();

export const OKS_SIGMAS: Float64Array = Float64Array.from(layout.sigmas);
export const CATEGORY_IDS: readonly number[] = CATEGORIES.map((c) => c.id);
export const NUM_CATEGORIES = CATEGORIES.length;

/** Category by id, or undefined for an id outside 1..13. */
export function categoryById(id: number): Category | undefined {
  return Number.isInteger(id) && id >= 1 && id <= CATEGORIES.length ? CATEGORIES[id - 1] : undefined;
}

const byAnnotationName = new Map(CATEGORIES.map((c) => [c.annotationName, c]));
const byCocoName = new Map(CATEGORIES.map((c) => [c.cocoName, c]));
export const categoryByAnnotationName = (name: string): Category | undefined => byAnnotationName.get(name);
export const categoryByCocoName = (name: string): Category | undefined => byCocoName.get(name);

/** Attribute fields of an item, each 1..3, with the value names of the release README's tables. */
export const ATTRIBUTES = {
  scale: ['small', 'moderate', 'large'],
  occlusion: ['slight', 'medium', 'heavy'],
  zoom_in: ['no', 'medium', 'large'],
  viewpoint: ['no wear', 'frontal', 'side or back'],
} as const;
export type AttributeName = keyof typeof ATTRIBUTES;
export const ATTRIBUTE_NAMES = Object.keys(ATTRIBUTES) as AttributeName[];
