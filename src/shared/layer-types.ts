/**
 * The JSON shapes of the explorer's layers (a results file or a submission
 * drawn over a split, marked as the official matching marks it), shared by
 * src/server/routes/layers.ts and the browser app. Types (and the filters' values).
 */
import type { ImageJson, Task } from './api-types.js';
import type { LandmarkKindName } from './colors.js';

export type { LandmarkKindName } from './colors.js';

export interface LayerJson {
  /** "file-NAME" (df2 serve --results NAME=FILE) or "sub-ID" (a finished submission). */
  id: string;
  name: string;
  task: Task;
  source: 'file' | 'submission';
  /** The submission's owner. */
  user?: string;
}

/**
 * Per-image counts from the official matching at IoU (OKS) .50, area all,
 * the largest maxDets: tp matched detections, fp unmatched ones, fn missed
 * ground truth; ignored ground truth and the detections matched to it count
 * as neither. Retrieval: tp counted queries found in the top 20, fn counted
 * queries not found, fp detections of the image that stand for no query.
 */
export interface TallyJson {
  tp: number;
  fp: number;
  fn: number;
}

export type PredictionState = 'matched' | 'false-positive' | 'ignored' | 'not-evaluated';

export interface PredictionJson {
  /** Index of the record in the results file (0-based). */
  index: number;
  category_id: number;
  score: number;
  state: PredictionState;
  /** Highest IoU (OKS) with a ground truth of its image and category; null when not evaluated. */
  best: number | null;
  /** Key of the ground-truth item it is matched to ("item2"). */
  matched_item?: string;
  /** [x, y, width, height]. */
  bbox?: [number, number, number, number];
  /** The mask as column-major run lengths (first run of zeros), of an image of size [height, width]. */
  mask?: { size: [number, number]; runs: number[] };
  /** The category's landmarks, x, y, v triples. */
  keypoints?: number[];
  /**
   * Keypoints layers, detections matched at OKS 0.1 (the landmark error
   * analysis, eval/errors): landmark n's kind at index n - 1; null where the
   * matched ground truth does not label it (or ks is exactly .85 there).
   */
  landmark_kinds?: (LandmarkKindName | null)[];
}

/** Images of a keypoints layer with at least one landmark of the kind (the `errors` filter's landmark values). */
export const LANDMARK_ERROR_FILTERS = ['jitter', 'inversion', 'swap', 'miss'] as const;

export type GroundTruthState = 'matched' | 'missed' | 'ignored';

/** A query of a consumer image and what the retrieval protocol made of it. */
export interface LayerQueryJson {
  /** Index in the query file: the retrieval-explained page's address. */
  query: number;
  item: string;
  verdict: 'not-counted' | 'no-detection' | 'no-hit' | 'hit';
  first_hit_rank: number;
}

export interface LayerImageJson {
  image_id: number;
  tally: TallyJson;
  metric: 'IoU' | 'OKS';
  predictions: PredictionJson[];
  /** By item key. */
  ground_truth: Record<string, GroundTruthState>;
  /** Retrieval layers: the image's queries. */
  queries?: LayerQueryJson[];
  /** Keypoints layers: the image's landmarks of each kind (the analysed detections'). */
  landmark_counts?: Record<LandmarkKindName, number>;
  /** When the grid is narrowed to a confusion-matrix cell: the cell's entries in this image. */
  confusion_count?: number;
}

export interface LayerSummaryJson {
  layer: LayerJson;
  split: string;
  /** The official figures of this layer on this split, with their names. */
  stat_names: string[];
  stats: number[];
  totals: TallyJson;
  /** Images with at least one fp, at least one fn. */
  images_with_fp: number;
  images_with_fn: number;
  /** Keypoints: landmarks of each kind over the split, and the images with at least one of each kind. */
  landmarks?: { counts: Record<LandmarkKindName, number>; images: Record<LandmarkKindName, number> };
  /** bbox and segm: the detection confusion matrix, matrix[pred][gt], index 13 = background. */
  confusion?: { labels: (number | 'background')[]; matrix: number[][] };
}

export interface LayerImagePageJson {
  split: string;
  layer: string;
  total: number;
  page: number;
  per_page: number;
  /** With `against=LAYER`: the second layer, whose image JSON each image carries as `layer_b`. */
  against?: string;
  images: (ImageJson & { layer: LayerImageJson; layer_b?: LayerImageJson; difference?: number })[];
}

interface RetrievalCandidateJson {
  row: number;
  score: number;
  cls: number;
  bbox: [number, number, number, number];
  iou: number;
  assigned_query: number;
  /** The query it went to when not this one (its item key). */
  assigned_item?: string;
  verdict: 'chosen' | 'assigned-elsewhere' | 'wrong-class' | 'lower-score' | 'query-not-counted';
}

export interface RetrievalExplainedJson {
  split: string;
  layer: string;
  query: number;
  query_image_id: number;
  /** The query's item key in its annotation file. */
  item: string;
  category_id: number;
  style: number;
  pair_id: number;
  bbox: [number, number, number, number];
  verdict: 'not-counted' | 'no-detection' | 'no-hit' | 'hit';
  candidates: RetrievalCandidateJson[];
  standing: number;
  /** gt_image: the retrieved image holds a ground-truth gallery item (a non-hit there is a box with IoU < 0.5). */
  retrieved: { rank: number; gallery_image_id: number; bbox: [number, number, number, number]; hit: boolean; hit_item?: string; gt_image: boolean }[];
  first_hit_rank: number;
  ground_truth_gallery: { gallery_image_id: number; item: string; bbox: [number, number, number, number] }[];
  /** Size of every image named above (query, retrieved and ground-truth gallery images), for drawing. */
  images: Record<string, { width: number; height: number; has_image: boolean }>;
}
