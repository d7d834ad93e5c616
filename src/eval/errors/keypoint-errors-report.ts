/**
 * The landmark error analysis as `--json` writes it (the layout of the
 * golden kp-errors.json files, plus per category AP and per landmark
 * counts) and as a readable table.
 */
import { categoryById } from '../../schema/index.js';
import { KEYPOINT_ERROR_OKS, KEYPOINT_ERROR_STEPS, type KeypointErrorAnalysis, type KeypointErrorStep, type KindCounts } from './keypoint-errors.js';
import { LANDMARK_KINDS } from './landmark-kinds.js';
import type { ImageCountRow } from './per-image.js';

/** Threshold keys as the golden files write them: "0.50" ... "0.95". */
const oksKey = (t: number): string => t.toFixed(2);
const byThreshold = (values: readonly number[]): Record<string, number> => Object.fromEntries(KEYPOINT_ERROR_OKS.map((t, i) => [oksKey(t), values[i]!]));

/** The names the golden files (and coco-analyze's stats) give the AP curves. */
const CURVE_NAMES: Record<KeypointErrorStep, string> = {
  baseline: 'baseline',
  miss: 'miss',
  swap: 'swap',
  inversion: 'inversion',
  jitter: 'jitter',
  score: 'score',
  background_fp: 'bckgd_false_pos',
  false_negatives: 'false_neg_fixed',
};

/** Errors per landmark: inversion, swap and miss are the kinds a landmark can be blamed for. */
export interface LandmarkErrorRow {
  /** 1-based landmark number within the category (the release README's Figure 2). */
  landmark: number;
  labelled: number;
  counts: KindCounts;
  /** (inversion + swap + miss) / labelled; 0 when never labelled. */
  error_rate: number;
}

export function landmarkRows(analysis: KeypointErrorAnalysis, categoryId: number): LandmarkErrorRow[] {
  const cat = analysis.byCategory.find((c) => c.categoryId === categoryId);
  if (!cat) return [];
  return cat.landmarks.map((counts, i) => {
    const labelled = LANDMARK_KINDS.reduce((s, kind) => s + counts[kind], 0);
    const errors = counts.inversion + counts.swap + counts.miss;
    return { landmark: i + 1, labelled, counts, error_rate: labelled > 0 ? errors / labelled : 0 };
  });
}

/** Figures per OKS threshold, keyed "0.50" ... "0.95". */
type ByOks = Record<string, number>;

/** The `--json` layout (see keypointErrorsJson). */
export interface KeypointErrorsJson {
  counts: { overall: KindCounts; by_category: Record<string, KindCounts> };
  matched_detections: number;
  matched_detections_zero_kpt_gt: number;
  unclassified_labelled_landmarks: number;
  /** AP at OKS .50 after each step. */
  ap_oks50: Record<KeypointErrorStep, number>;
  ap_oks50_false_negatives_coco_analyze_label: number;
  ap_50_95_baseline: number;
  ap_50_95: Record<KeypointErrorStep, number>;
  /** Per curve (coco-analyze's names: baseline ... bckgd_false_pos, false_neg as it labels it, false_neg_fixed). */
  ap_by_oks: Record<string, ByOks>;
  /** Per category id, per step. */
  ap_by_category: Record<string, Record<KeypointErrorStep, ByOks>>;
  num_false_pos_dts: ByOks;
  num_false_neg_gts: ByOks;
  params: { oksLocThrs: number; jitterKsThrs: number[]; oksThrs: number[]; areaRng: number[][]; maxDets: number[]; teamMaxDets: number[] };
  /** Per category id. */
  landmarks: Record<string, LandmarkErrorRow[]>;
  per_detection: { id: number; image_id: number; category_id: number; gt_id: number; oks: number; counts: KindCounts }[];
}

/**
 * The analysis as `df2 eval keypoints --errors --json` writes it: the
 * golden kp-errors.json layout (snake case, thresholds as "0.50" keys) with
 * `ap_by_category` and `landmarks` added.
 *
 * @example
 * ```ts
 * const json = keypointErrorsJson(keypointErrorAnalysis(gt, res));
 * console.log(json.ap_oks50.baseline, json.ap_oks50.jitter);
 * ```
 */
export function keypointErrorsJson(analysis: KeypointErrorAnalysis): KeypointErrorsJson {
  const at50 = (step: KeypointErrorStep): number => analysis.ap[step][0]!;
  const curves = Object.fromEntries(KEYPOINT_ERROR_STEPS.map((step) => [CURVE_NAMES[step], byThreshold(analysis.ap[step])]));
  return {
    counts: {
      overall: analysis.counts,
      by_category: Object.fromEntries(analysis.byCategory.map((c) => [String(c.categoryId), c.counts])),
    },
    matched_detections: analysis.matchedDetections,
    matched_detections_zero_kpt_gt: analysis.matchedDetectionsZeroKptGt,
    unclassified_labelled_landmarks: analysis.unclassifiedLabelledLandmarks,
    ap_oks50: {
      baseline: at50('baseline'),
      miss: at50('miss'),
      swap: at50('swap'),
      inversion: at50('inversion'),
      jitter: at50('jitter'),
      score: at50('score'),
      background_fp: at50('background_fp'),
      false_negatives: at50('false_negatives'),
    },
    ap_oks50_false_negatives_coco_analyze_label: analysis.apFalseNegativesAsLabelled[0]!,
    ap_50_95_baseline: analysis.apMean.baseline,
    ap_50_95: analysis.apMean,
    ap_by_oks: { ...curves, false_neg: byThreshold(analysis.apFalseNegativesAsLabelled) },
    ap_by_category: Object.fromEntries(
      analysis.apByCategory.map((c) => [
        String(c.categoryId),
        Object.fromEntries(KEYPOINT_ERROR_STEPS.map((step) => [step, byThreshold(c.ap[step])])) as Record<KeypointErrorStep, ByOks>,
      ]),
    ),
    num_false_pos_dts: byThreshold(analysis.falsePositiveDetections),
    num_false_neg_gts: byThreshold(analysis.falseNegativeGroundTruth),
    params: {
      oksLocThrs: 0.1,
      jitterKsThrs: [0.5, 0.85],
      oksThrs: [...KEYPOINT_ERROR_OKS],
      areaRng: [[0, 1e10]],
      maxDets: [20],
      teamMaxDets: [analysis.teamMaxDets],
    },
    landmarks: Object.fromEntries(analysis.byCategory.map((c) => [String(c.categoryId), landmarkRows(analysis, c.categoryId)])),
    per_detection: analysis.perDetection.map((d) => ({
      id: d.resultIndex,
      image_id: d.imageId,
      category_id: d.categoryId,
      gt_id: d.gtId,
      oks: d.oks,
      counts: d.counts,
    })),
  };
}

const pct = (v: number): string => (v < 0 ? '    -' : (100 * v).toFixed(1).padStart(5));
const gain = (v: number): string => (v >= 0 ? '+' : '') + (100 * v).toFixed(1);
const pad = (s: string | number, n: number): string => String(s).padStart(n);
const STEP_LABELS: Record<KeypointErrorStep, string> = {
  baseline: 'original',
  miss: '+ misses fixed',
  swap: '+ swaps fixed',
  inversion: '+ inversions fixed',
  jitter: '+ jitter fixed',
  score: '+ scores fixed',
  background_fp: '+ background FP removed',
  false_negatives: '+ false negatives recovered',
};

/** How many landmarks the per-landmark table lists per category. */
const WORST_LANDMARKS = 5;

/**
 * The readable table of `--errors` for keypoints: landmark kinds overall and
 * per category, AP at OKS .50 and .75 after each correction with the gain
 * of each, and per category the landmarks most often inverted, swapped or
 * missed.
 *
 * @example
 * ```ts
 * process.stdout.write(keypointErrorsText(keypointErrorAnalysis(gt, res)));
 * ```
 */
export function keypointErrorsText(analysis: KeypointErrorAnalysis): string {
  const lines: string[] = [];
  const kindHeader = LANDMARK_KINDS.map((k) => pad(k, 10)).join('');
  lines.push(`Landmark errors (coco-analyze; ${analysis.matchedDetections} detections matched at OKS 0.1)`);
  lines.push(`  ${'category'.padEnd(24)}${kindHeader}`);
  const row = (name: string, counts: KindCounts): string => `  ${name.padEnd(24)}${LANDMARK_KINDS.map((k) => pad(counts[k], 10)).join('')}`;
  lines.push(row('all', analysis.counts));
  for (const c of analysis.byCategory) lines.push(row(`${c.categoryId} ${categoryById(c.categoryId)?.cocoName ?? ''}`, c.counts));
  if (analysis.matchedDetectionsZeroKptGt > 0) lines.push(`  (${analysis.matchedDetectionsZeroKptGt} matched to items without labelled landmarks, left out)`);
  lines.push('');
  const t50 = KEYPOINT_ERROR_OKS.indexOf(0.5);
  const t75 = KEYPOINT_ERROR_OKS.indexOf(0.75);
  lines.push(`AP after each correction (cumulative), %`);
  lines.push(`  ${'step'.padEnd(30)}${pad('AP50', 7)}${pad('gain', 7)}${pad('AP75', 7)}${pad('gain', 7)}`);
  let previous: KeypointErrorStep | null = null;
  for (const step of KEYPOINT_ERROR_STEPS) {
    const a50 = analysis.ap[step][t50]!;
    const a75 = analysis.ap[step][t75]!;
    const g50 = previous ? gain(a50 - analysis.ap[previous][t50]!) : '';
    const g75 = previous ? gain(a75 - analysis.ap[previous][t75]!) : '';
    lines.push(`  ${STEP_LABELS[step].padEnd(30)}${pct(a50).padStart(7)}${pad(g50, 7)}${pct(a75).padStart(7)}${pad(g75, 7)}`);
    previous = step;
  }
  lines.push('');
  lines.push(`Landmarks most often inverted, swapped or missed (of labelled; numbers as in the release README's Figure 2)`);
  for (const c of analysis.byCategory) {
    const worst = landmarkRows(analysis, c.categoryId)
      .filter((r) => r.labelled > 0 && r.error_rate > 0)
      .sort((a, b) => b.error_rate - a.error_rate || a.landmark - b.landmark)
      .slice(0, WORST_LANDMARKS);
    if (worst.length === 0) continue;
    const cells = worst.map((r) => {
      const kinds = (['inversion', 'swap', 'miss'] as const).filter((k) => r.counts[k] > 0).map((k) => `${r.counts[k]} ${k}`);
      return `#${r.landmark} ${(100 * r.error_rate).toFixed(0)}% (${kinds.join(', ')})`;
    });
    lines.push(`  ${`${c.categoryId} ${categoryById(c.categoryId)?.cocoName ?? ''}`.padEnd(24)}${cells.join('; ')}`);
  }
  return lines.join('\n') + '\n';
}

/** One detection of a `--per-image` row for keypoints. */
export interface DetectionKindRow extends KindCounts {
  /** 0-based index in the results file. */
  id: number;
  category_id: number;
  gt_id: number;
  oks: number;
}

/**
 * `--per-image` rows for keypoints: each image's row gains `detections`,
 * the landmark kinds of each of its detections matched at OKS 0.1.
 *
 * @example
 * ```ts
 * const rows = perImageLandmarkRows(perImageRows(perImageCounts(result)), keypointErrorAnalysis(gt, res));
 * ```
 */
export function perImageLandmarkRows(rows: readonly ImageCountRow[], analysis: KeypointErrorAnalysis): (ImageCountRow & { detections: DetectionKindRow[] })[] {
  const byImage = new Map<number, DetectionKindRow[]>();
  for (const d of analysis.perDetection) {
    let list = byImage.get(d.imageId);
    if (!list) byImage.set(d.imageId, (list = []));
    list.push({ id: d.resultIndex, category_id: d.categoryId, gt_id: d.gtId, oks: d.oks, ...d.counts });
  }
  return rows.map((row) => ({ ...row, detections: byImage.get(row.image_id) ?? [] }));
}
