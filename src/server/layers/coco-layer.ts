/**
 * A bbox, segm or keypoints layer: the results file evaluated on the split by
 * the evaluation engine (the same run that gives `df2 eval` its figures), its
 * per-image match records turned into what the explorer shows: each
 * detection's verdict at IoU (OKS) .50, each ground-truth item's, and the
 * image's tp / fp / fn (eval/errors' perImageCounts); for bbox and segm the
 * detection confusion matrix (eval/errors' confusionAnalysis) with the
 * images behind each of its cells; for keypoints the landmark error analysis
 * (eval/errors' keypointErrorAnalysis): each landmark's kind. The detections' geometry is read once (compactly) so
 * that pages of images need no further pass over a large results file.
 */
import {
  CocoEvaluator,
  confusionAnalysis,
  keypointErrorAnalysis,
  loadCocoPair,
  perImageCounts,
  type CocoEvalResult,
  type CocoGroundTruth,
  type CocoResults,
  type CocoMatchRecords,
  type CocoTask,
  type KindCounts,
  type LandmarkKind,
} from '../../eval/index.js';
import { confusionCellImages, type ConfusionEntries } from '../../eval/internal.js';
import { readResultsForImages, type DetectionRecord } from '../../render/internal.js';
import { rleFromString } from '../../mask/index.js';
import type { GroundTruthState, PredictionJson, PredictionState, TallyJson } from '../../shared/layer-types.js';
import type { SplitTruth } from './split-truth.js';
import { serverSnapshotCache } from '../snapshot-cache.js';

interface DetectionVerdict {
  state: PredictionState;
  best: number;
  /** Position of the matched ground-truth item in its image, -1 when none. */
  matchedItem: number;
}

interface CocoImageData {
  tally: TallyJson;
  /** By item position in the annotation file. */
  groundTruth: GroundTruthState[];
  /** By index in the results file. */
  detections: Map<number, DetectionVerdict>;
  /** Keypoints: the image's landmarks of each kind. */
  landmarkCounts?: KindCounts;
}

export interface CocoLayerData {
  kind: 'coco';
  task: CocoTask;
  metric: 'IoU' | 'OKS';
  stats: number[];
  perImage: Map<number, CocoImageData>;
  records: Map<number, DetectionRecord[]>;
  truth: SplitTruth;
  /** Keypoints: by result index, landmark n's kind at n - 1 (null: not classified), for the detections matched at OKS 0.1. */
  landmarkKinds?: Map<number, (LandmarkKind | null)[]>;
  /** bbox and segm: the confusion matrix and its entries (which image each increment came from). */
  confusion?: { labels: (number | 'background')[]; matrix: number[][]; entries: ConfusionEntries; imageIds: Float64Array };
}

export interface CocoLayerOptions {
  /**
   * Read the split's ground truth from its snapshot in this folder (written on the first layer of the split): a
   * second layer on a validation-sized split then skips parsing its 300 MB of JSON.
   */
  snapshotDir?: string;
}

/** Per image: tallies and verdicts from the match records (IoU .50, area all, the largest maxDets). */
function imageVerdicts(result: CocoEvalResult): Map<number, CocoImageData> {
  const matches: CocoMatchRecords = result.matches;
  interface Gt {
    annotationIndex: number;
    id: number;
    state: GroundTruthState;
  }
  const gts = new Map<number, Gt[]>();
  const dets = new Map<number, { index: number; gtId: number; ignored: boolean; best: number }[]>();
  const cells = matches.cellImageId.length;
  for (let c = 0; c < cells; c++) {
    const imageId = matches.cellImageId[c]!;
    let g = gts.get(imageId);
    if (!g) gts.set(imageId, (g = []));
    for (let i = matches.cellGtStart[c]!; i < matches.cellGtStart[c + 1]!; i++) {
      const state: GroundTruthState = matches.gtIgnored[i] === 1 ? 'ignored' : matches.gtMatched50[i] === 1 ? 'matched' : 'missed';
      g.push({ annotationIndex: matches.gtAnnotationIndex[i]!, id: matches.gtId[i]!, state });
    }
    let d = dets.get(imageId);
    if (!d) dets.set(imageId, (d = []));
    for (let i = matches.cellDetStart[c]!; i < matches.cellDetStart[c + 1]!; i++) {
      d.push({ index: matches.detResultIndex[i]!, gtId: matches.detGtId50[i]!, ignored: matches.detIgnored50[i] === 1, best: matches.detBestIou[i]! });
    }
  }
  const perImage = new Map<number, CocoImageData>();
  for (const [imageId, g] of gts) {
    // The converter writes an image's annotations in its file's key order: the k-th is item k.
    g.sort((a, b) => a.annotationIndex - b.annotationIndex);
    const position = new Map(g.map((x, k) => [x.id, k]));
    const detections = new Map<number, DetectionVerdict>();
    for (const d of dets.get(imageId) ?? []) {
      const state: PredictionState = d.ignored ? 'ignored' : d.gtId !== 0 ? 'matched' : 'false-positive';
      detections.set(d.index, { state, best: d.best, matchedItem: d.gtId !== 0 ? (position.get(d.gtId) ?? -1) : -1 });
    }
    perImage.set(imageId, { tally: { tp: 0, fp: 0, fn: 0 }, groundTruth: g.map((x) => x.state), detections });
  }
  const counts = perImageCounts(result);
  counts.imageId.forEach((imageId, i) => {
    const data = perImage.get(imageId);
    if (data) data.tally = { tp: counts.tp[i]!, fp: counts.fp[i]!, fn: counts.fn[i]! };
  });
  return perImage;
}

export async function loadCocoLayer(task: CocoTask, resultsFile: string, truth: SplitTruth, options: CocoLayerOptions = {}): Promise<CocoLayerData> {
  const gtFile = truth.files.gt!;
  // Segm's confusion matrix takes boxes: the results' own, else their masks'.
  const [{ gt, results }, read] = await Promise.all([
    loadCocoPair(task, gtFile, resultsFile, { extraTasks: task === 'segm' ? ['bbox'] : [], cache: serverSnapshotCache(options.snapshotDir) }),
    readResultsForImages(resultsFile, new Set(truth.itemKeys.keys()), { compact: true }),
  ]);
  const evaluator = CocoEvaluator.create(task, gt, results);
  let result: CocoEvalResult;
  try {
    result = await evaluator.evaluate({ quiet: true });
  } finally {
    await evaluator.close();
  }
  let confusion: CocoLayerData['confusion'];
  if (task !== 'keypoints') {
    const analysis = confusionAnalysis(gt, results);
    confusion = { labels: analysis.labels, matrix: analysis.matrix, entries: analysis.entries, imageIds: Float64Array.from(gt.images.id) };
  }
  const perImage = imageVerdicts(result);
  // Images of the split without ground truth or detections: nothing to count.
  for (const imageId of truth.itemKeys.keys())
    if (!perImage.has(imageId)) perImage.set(imageId, { tally: { tp: 0, fp: 0, fn: 0 }, groundTruth: [], detections: new Map() });
  // Once per layer (the cache keeps it): each landmark's kind, and each image's counts for the filters.
  const landmarkKinds = task === 'keypoints' ? landmarkKindsOf(gt, results, perImage) : undefined;
  return {
    kind: 'coco',
    task,
    metric: task === 'keypoints' ? 'OKS' : 'IoU',
    stats: result.stats,
    perImage,
    records: read.byImage,
    truth,
    ...(landmarkKinds ? { landmarkKinds } : {}),
    ...(confusion ? { confusion } : {}),
  };
}

const zeroKinds = (): KindCounts => ({ good: 0, jitter: 0, inversion: 0, swap: 0, miss: 0 });

/** The landmark error analysis with every landmark's kind: kinds by result index; each image's counts set in `perImage`. */
function landmarkKindsOf(gt: CocoGroundTruth, results: CocoResults, perImage: Map<number, CocoImageData>): Map<number, (LandmarkKind | null)[]> {
  const analysis = keypointErrorAnalysis(gt, results, { landmarkKinds: true });
  for (const data of perImage.values()) data.landmarkCounts = zeroKinds();
  const kinds = new Map<number, (LandmarkKind | null)[]>();
  for (const d of analysis.perDetection) {
    const marks: (LandmarkKind | null)[] = [];
    for (const { landmark, kind } of d.landmarks ?? []) {
      while (marks.length < landmark) marks.push(null);
      marks[landmark - 1] = kind === 'unclassified' ? null : kind;
    }
    kinds.set(d.resultIndex, marks);
    const counts = perImage.get(d.imageId)?.landmarkCounts;
    if (counts) for (const k of Object.keys(counts) as LandmarkKind[]) counts[k] += d.counts[k];
  }
  return kinds;
}

/** The images holding confusion-matrix cell (row, col), with their entries of it. */
export function cellImages(layer: CocoLayerData, row: number, col: number): Map<number, number> {
  const c = layer.confusion!;
  return new Map(confusionCellImages(c.entries, c.imageIds, row, col).map((x) => [x.imageId, x.count]));
}

/** The image's detections as the browser draws them, with their verdicts. */
export function predictionsOf(layer: CocoLayerData, imageId: number): PredictionJson[] {
  const data = layer.perImage.get(imageId);
  const keys = layer.truth.itemKeys.get(imageId) ?? [];
  return (layer.records.get(imageId) ?? []).map((r) => {
    const v = data?.detections.get(r.index);
    const p: PredictionJson = {
      index: r.index,
      category_id: r.categoryId,
      score: r.score,
      // Beyond maxDets per image and category, the evaluation never saw it.
      state: v?.state ?? 'not-evaluated',
      best: v ? v.best : null,
    };
    if (v && v.matchedItem >= 0) p.matched_item = keys[v.matchedItem];
    if (r.bbox) p.bbox = [...r.bbox];
    if (r.segmentation) {
      const [height, width] = r.segmentation.size;
      const counts = r.segmentation.counts;
      const runs = typeof counts === 'string' ? Array.from(rleFromString(counts, height, width).counts) : counts;
      p.mask = { size: [height, width], runs };
    }
    if (r.keypoints) p.keypoints = r.keypoints;
    const kinds = layer.landmarkKinds?.get(r.index);
    if (kinds) p.landmark_kinds = kinds;
    return p;
  });
}

/** Ground-truth verdicts by item key. */
export function groundTruthOf(layer: CocoLayerData, imageId: number): Record<string, GroundTruthState> {
  const keys = layer.truth.itemKeys.get(imageId) ?? [];
  const states = layer.perImage.get(imageId)?.groundTruth ?? [];
  return Object.fromEntries(keys.map((k, i) => [k, states[i] ?? 'ignored']));
}
