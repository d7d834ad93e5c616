/**
 * What the evaluation report shows, as plain numbers and pictures: built from
 * the evaluation engine's results (report-data.ts), turned into HTML by
 * report-html.ts.
 */
import type { AttributeName } from '../../schema/index.js';
import type { CocoTask } from '../../eval/index.js';
import type { LandmarkErrorSection } from './landmark-errors.js';
import type { TideErrors, TideMainError } from '../../eval/index.js';

/** A figure's bootstrap interval (see df2 eval --ci): `defined` resamples had the figure; none: no interval. */
export interface FigureRange {
  low: number;
  high: number;
  defined: number;
}

/** How the intervals of a section were made. */
export interface Resampling {
  /** Resamples of the images. */
  count: number;
  seed: number | null;
  level: number;
}

export interface SummaryFigure {
  /** e.g. "AP @[IoU=0.50:0.95 | area=all | maxDets=100]" */
  name: string;
  /** Short column heading, e.g. "AP", "AP50", "AR100". */
  short: string;
  value: number;
  /** With intervals (df2 report --ci). */
  interval?: FigureRange;
}

export interface CategoryRow {
  categoryId: number;
  name: string;
  /** AP at IoU .50:.95, .50 and .75 (area all, largest maxDets); -1 = no ground truth. */
  ap: number;
  /** With intervals (df2 report --ci): AP's. */
  apInterval?: FigureRange;
  ap50: number;
  ap75: number;
  /** Ground-truth items (not ignored) and detections of the category. */
  groundTruth: number;
  detections: number;
}

export interface PrCurves {
  /** The IoU (or OKS) threshold of these curves. */
  threshold: number;
  /** Recall sampling points (101, 0 to 1). */
  recall: readonly number[];
  /** Interpolated precision per category with ground truth. */
  perCategory: { categoryId: number; precision: readonly number[] }[];
  /** Mean over those categories at each recall point. */
  overall: readonly number[];
}

export interface AttributeTable {
  attribute: AttributeName;
  /** One row per value 1..3: AP, AP50, AP75 with only items of that value counted. */
  rows: {
    value: number;
    valueName: string;
    ap: number;
    ap50: number;
    ap75: number;
    /** With intervals (df2 report --ci): those of AP, AP50, AP75, on the section's resamples. */
    intervals?: { ap: FigureRange; ap50: FigureRange; ap75: FigureRange };
  }[];
}

export interface ScoreHistogram {
  edges: readonly number[];
  truePositives: readonly number[];
  falsePositives: readonly number[];
}

interface WorstImage {
  imageId: number;
  missed: number;
  falsePositives: number;
  /** The image drawn by render (ground truth | predictions), as a data: URI. */
  picture: string;
}

/** One image's counts at IoU (OKS) .50 from the official matching. */
export interface ImageErrorRow {
  imageId: number;
  tp: number;
  fp: number;
  fn: number;
}

/** bbox and segm: why the AP is what it is. */
export interface ErrorAnalysis {
  /** TIDE (tidecv 1.0.1 rules): AP50, dAP per error type, special errors. */
  tide: TideErrors;
  /** How many errors of each main type. */
  tideCounts: Record<TideMainError, number>;
  /** The detection confusion matrix (Ultralytics rules): matrix[pred][gt], last index background. */
  confusion: { conf: number; iou: number; labels: string[]; categoryIds: number[]; matrix: number[][] };
  /** Images with the most false positives plus misses (official matching at .50), most first. */
  images: ImageErrorRow[];
}

export interface CocoTaskSection {
  task: CocoTask;
  gtFile: string;
  resultsFile: string;
  /** The summarize() figures, in order. */
  summary: SummaryFigure[];
  perCategory: CategoryRow[];
  curves: PrCurves[];
  attributes: AttributeTable[];
  scores: ScoreHistogram;
  /** Threshold at which detections count as true positives in `scores` and `worst`. */
  matchThreshold: number;
  worst: WorstImage[];
  /** bbox and segm only. */
  errors?: ErrorAnalysis;
  /** keypoints only: the landmark error analysis. */
  landmarkErrors?: LandmarkErrorSection;
  /** With intervals (df2 report --ci): how they were made (the figures carry them). */
  resampling?: Resampling;
}

export interface RetrievalSection {
  queryFile: string;
  galleryFile: string;
  resultsFile: string;
  topK: { k: number; accuracy: number; interval?: FigureRange }[];
  /** With intervals (df2 report --ci): how they were made. */
  resampling?: Resampling;
  queries: number;
  missed: number;
  attributes: {
    attribute: AttributeName;
    /** With intervals (df2 report --ci): `topKIntervals` in `topK`'s order, on the section's resamples of the query images. */
    rows: { value: number; valueName: string; queries: number; topK: number[]; topKIntervals?: FigureRange[] }[];
  }[];
  /** Example strips (data: URIs) with titles. */
  strips: { title: string; picture: string }[];
}

export interface ReportModel {
  title: string;
  createdAt: string;
  tasks: CocoTaskSection[];
  retrieval?: RetrievalSection;
}
