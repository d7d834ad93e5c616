/**
 * The report's landmark section (keypoints): the landmark error analysis
 * (coco-analyze's kinds and corrections) as AP-gain bars, and per category
 * its skeleton with each landmark coloured by how often it is inverted,
 * swapped or missed. The data part is plain numbers; the HTML part inline
 * SVG, so the page stands alone.
 */
import { landmarkRows, landmarksOf, meanLandmarkLayout, recordOf } from '../../eval/internal.js';
import {
  KEYPOINT_ERROR_OKS,
  KEYPOINT_ERROR_STEPS,
  keypointErrorAnalysis,
  type CocoGroundTruth,
  type CocoResults,
  type DetectionLandmarkErrors,
  type KindCounts,
  type LandmarkKind,
} from '../../eval/index.js';
import { categoryById, imageName } from '../../schema/index.js';
import { LANDMARK_KIND_COLORS, LANDMARK_MARKS } from '../pictures/colors.js';
import { coord, escapeHtml, figure, svgChartOpen } from './html.js';
import { svgBarChart } from './svg-bar-chart.js';

export interface LandmarkErrorSection {
  matchedDetections: number;
  counts: KindCounts;
  /** AP at OKS .50 and .75 after each cumulative correction. */
  steps: { step: string; label: string; ap50: number; ap75: number }[];
  categories: {
    categoryId: number;
    name: string;
    counts: KindCounts;
    skeleton: (readonly [number, number])[];
    /** Landmark n at index n - 1; x, y: its mean place in the box (0..1), null when never labelled. */
    landmarks: { landmark: number; labelled: number; errorRate: number; inversion: number; swap: number; miss: number; at: [number, number] | null }[];
  }[];
  /** The detections with the most errors, worst first (see {@link worstDetections}). */
  worst: WorstDetection[];
}

/** A matched detection with its landmarks classified: where each should be and where it was predicted. */
export interface WorstDetection {
  /** 0-based index in the results file. */
  resultIndex: number;
  imageId: number;
  categoryId: number;
  name: string;
  score: number;
  /** OKS with its matched ground truth. */
  oks: number;
  counts: KindCounts;
  /** The matched ground truth's box [x, y, w, h]. */
  gtBox: [number, number, number, number];
  /** Each classified landmark (1-based number within the category), its kind, its ground-truth and predicted places. */
  landmarks: { landmark: number; kind: LandmarkKind; gt: [number, number]; predicted: [number, number] }[];
  /** The detection drawn on its image (a data: URI), when the report has the split. */
  picture?: string;
}

/** How many worst detections the report lists (and draws, with --data). */
export const WORST_DETECTIONS = 12;

const STEP_LABELS: Record<string, string> = {
  baseline: 'original',
  miss: 'misses fixed',
  swap: 'swaps fixed',
  inversion: 'inversions fixed',
  jitter: 'jitter fixed',
  score: 'scores fixed',
  background_fp: 'background FP removed',
  false_negatives: 'false negatives recovered',
};

/**
 * The section's figures from loaded keypoint ground truth and results.
 *
 * @example
 * ```ts
 * section.landmarkErrors = landmarkErrorSection(gt, results);
 * ```
 */
export function landmarkErrorSection(gt: CocoGroundTruth, results: CocoResults): LandmarkErrorSection {
  const analysis = keypointErrorAnalysis(gt, results, { landmarkKinds: true });
  const layout = meanLandmarkLayout(gt);
  const t50 = KEYPOINT_ERROR_OKS.indexOf(0.5);
  const t75 = KEYPOINT_ERROR_OKS.indexOf(0.75);
  return {
    matchedDetections: analysis.matchedDetections,
    counts: analysis.counts,
    steps: KEYPOINT_ERROR_STEPS.map((step) => ({ step, label: STEP_LABELS[step]!, ap50: analysis.ap[step][t50]!, ap75: analysis.ap[step][t75]! })),
    categories: analysis.byCategory.map((c) => {
      const category = categoryById(c.categoryId);
      const places = layout.get(c.categoryId) ?? [];
      return {
        categoryId: c.categoryId,
        name: category?.annotationName ?? String(c.categoryId),
        counts: c.counts,
        skeleton: [...(category?.skeleton ?? [])],
        landmarks: landmarkRows(analysis, c.categoryId).map((r, i) => ({
          landmark: r.landmark,
          labelled: r.labelled,
          errorRate: r.error_rate,
          inversion: r.counts.inversion,
          swap: r.counts.swap,
          miss: r.counts.miss,
          at: places[i] ?? null,
        })),
      };
    }),
    worst: worstDetections(analysis.perDetection, WORST_DETECTIONS).map((d) => worstDetection(gt, results, d)),
  };
}

const errorsOf = (c: KindCounts): number => c.inversion + c.swap + c.miss;

/**
 * The `count` detections with the most landmarks inverted, swapped or
 * missed, then the most jitter, then the lowest OKS (then file order);
 * detections without an error are left out.
 *
 * @example
 * ```ts
 * const worst = worstDetections(keypointErrorAnalysis(gt, results).perDetection, 12);
 * ```
 */
export function worstDetections(detections: readonly DetectionLandmarkErrors[], count: number): DetectionLandmarkErrors[] {
  return detections
    .filter((d) => errorsOf(d.counts) + d.counts.jitter > 0)
    .sort((a, b) => errorsOf(b.counts) - errorsOf(a.counts) || b.counts.jitter - a.counts.jitter || a.oks - b.oks || a.resultIndex - b.resultIndex)
    .slice(0, count);
}

function worstDetection(gt: CocoGroundTruth, results: CocoResults, d: DetectionLandmarkErrors): WorstDetection {
  const category = categoryById(d.categoryId);
  const offset = category?.offset ?? 0;
  const ann = gt.annotations.id.indexOf(d.gtId);
  // Ground truth landmarks are stored as [position, x, y] for each labelled one; predictions by window (landmarksOf gives all 294 positions).
  const gtPlaces = new Map<number, [number, number]>();
  const labelled = recordOf(gt.annotations.landmarks, ann);
  for (let i = 0; i + 2 < labelled.length; i += 3) gtPlaces.set(labelled[i]!, [labelled[i + 1]!, labelled[i + 2]!]);
  const predicted = landmarksOf(results.keypoints, d.resultIndex);
  const landmarks: WorstDetection['landmarks'] = [];
  for (const { landmark, kind } of d.landmarks ?? []) {
    const position = offset + landmark - 1;
    const at = gtPlaces.get(position);
    if (kind === 'unclassified' || !at) continue;
    landmarks.push({ landmark, kind, gt: at, predicted: [predicted[2 * position]!, predicted[2 * position + 1]!] });
  }
  const box = gt.annotations.bbox.subarray(4 * ann, 4 * ann + 4);
  return {
    resultIndex: d.resultIndex,
    imageId: d.imageId,
    categoryId: d.categoryId,
    name: category?.annotationName ?? String(d.categoryId),
    score: results.score[d.resultIndex]!,
    oks: d.oks,
    counts: d.counts,
    gtBox: [box[0]!, box[1]!, box[2]!, box[3]!],
    landmarks,
  };
}

const CHART_WIDTH = 520;
const STEP_COLORS: Record<string, string> = {
  miss: '#f2e394',
  swap: '#f2ae72',
  inversion: '#d96459',
  jitter: '#8c4646',
  score: '#4f82bd',
  background_fp: '#8063a3',
  false_negatives: '#2e8b57',
};
const SKELETON_SIZE = 150;

/** White (no errors) to red (every labelled occurrence an inversion, swap or miss). */
function rateColor(rate: number): string {
  const g = Math.round(255 * (1 - rate));
  return `rgb(255,${g},${g})`;
}

/** One category's skeleton at its mean layout, landmarks coloured by error rate. */
function skeletonSvg(c: LandmarkErrorSection['categories'][number]): string {
  const size = SKELETON_SIZE;
  const pad = 12;
  const place = (at: [number, number]): [number, number] => [pad + at[0] * (size - 2 * pad), pad + at[1] * (size - 2 * pad)];
  const out = [svgChartOpen(size, size + 18, `${c.name}: landmarks by error rate`)];
  for (const [a, b] of c.skeleton) {
    const p = c.landmarks[a - 1]?.at;
    const q = c.landmarks[b - 1]?.at;
    if (!p || !q) continue;
    const [x1, y1] = place(p);
    const [x2, y2] = place(q);
    out.push(`<line x1="${coord(x1)}" y1="${coord(y1)}" x2="${coord(x2)}" y2="${coord(y2)}" stroke="#999" stroke-width="1.5"/>`);
  }
  for (const l of c.landmarks) {
    if (!l.at) continue;
    const [x, y] = place(l.at);
    const title = `landmark ${l.landmark}: ${(100 * l.errorRate).toFixed(0)}% of ${l.labelled} (inversion ${l.inversion}, swap ${l.swap}, miss ${l.miss})`;
    out.push(
      `<circle data-landmark="${l.landmark}" data-rate="${l.errorRate}" cx="${coord(x)}" cy="${coord(y)}" r="5" fill="${rateColor(l.errorRate)}" stroke="#333"><title>${escapeHtml(title)}</title></circle>`,
    );
  }
  out.push(`<text x="${size / 2}" y="${size + 13}" text-anchor="middle" class="tick">${escapeHtml(c.name)}</text>`);
  out.push('</svg>');
  return out.join('');
}

/** The section's HTML: the AP table and gain bars, then the skeletons. */
export function landmarkErrorHtml(e: LandmarkErrorSection): string {
  const out: string[] = ['<div class="errors" data-landmark-errors="keypoints">', '<h3>Why the AP is what it is: landmark errors</h3>'];
  out.push(
    `<p class="note">coco-analyze's diagnosis (Ronchi and Perona, ICCV 2017) on DeepFashion2: each labelled landmark of the ${e.matchedDetections} detections matched at OKS 0.1 ` +
      'is good, jitter (close), an inversion (on its flip partner), a swap (on another garment) or a miss; AP is then measured after correcting each kind, ' +
      'the scores, background false positives and false negatives in turn (each on top of the ones before). See docs/errors.md.</p>',
  );
  out.push(
    `<table class="landmark-kinds"><tr><th class="name">landmarks</th>${(['good', 'jitter', 'inversion', 'swap', 'miss'] as const).map((k) => `<th>${k}</th>`).join('')}</tr>`,
  );
  out.push(
    `<tr><td class="name">all</td>${(['good', 'jitter', 'inversion', 'swap', 'miss'] as const).map((k) => `<td data-kind="${k}">${e.counts[k]}</td>`).join('')}</tr></table>`,
  );
  out.push('<table class="landmark-steps"><tr><th class="name">after</th><th>AP50</th><th>AP75</th></tr>');
  for (const s of e.steps)
    out.push(
      `<tr data-step="${s.step}"><td class="name">${escapeHtml(s.label)}</td><td data-value="${s.ap50}">${figure(s.ap50)}</td><td data-value="${s.ap75}">${figure(s.ap75)}</td></tr>`,
    );
  out.push('</table>');
  out.push('<div class="charts">');
  for (const [key, title] of [
    ['ap50', 'AP50 gained by each correction'],
    ['ap75', 'AP75 gained by each correction'],
  ] as const) {
    const bars = e.steps.slice(1).map((s, i) => ({ label: s.label, value: Math.max(0, s[key] - e.steps[i]![key]), color: STEP_COLORS[s.step] }));
    out.push(`<div data-chart="landmark-${key}">${svgBarChart(bars, { title, width: CHART_WIDTH, valueText: (bar) => `+${figure(bar.value)}` })}</div>`);
  }
  out.push('</div>');
  out.push(
    '<h3>Landmarks by error rate</h3><p class="note">Each category at the mean place of its landmarks in the ground truth; a landmark is redder the more often ' +
      'it is inverted, swapped or missed among the analysed detections that label it (white: never). Hover a landmark for its figures.</p>',
  );
  out.push('<div class="thumbs">');
  for (const c of e.categories) if (c.landmarks.some((l) => l.labelled > 0)) out.push(`<div data-category="${c.categoryId}">${skeletonSvg(c)}</div>`);
  out.push('</div>');
  if (e.worst.length > 0) out.push(worstDetectionsHtml(e.worst));
  out.push('</div>');
  return out.join('\n');
}

const KINDS = ['good', 'jitter', 'inversion', 'swap', 'miss'] as const;

/** A kind's mark as a small inline SVG, the shape and colour of the pictures and the explorer. */
function markSvg(kind: LandmarkKind): string {
  const r = 5;
  const c = 8;
  const g = LANDMARK_MARKS[kind];
  const paint = `fill="${LANDMARK_KIND_COLORS[kind]}" stroke="#fff" stroke-width="1"`;
  const shape =
    g.shape === 'circle'
      ? `<circle cx="${c}" cy="${c}" r="${r}" ${paint}/>`
      : g.shape === 'square'
        ? `<rect x="${c - r}" y="${c - r}" width="${2 * r}" height="${2 * r}" ${paint}/>`
        : `<polygon points="${g.points.map(([x, y]) => `${coord(c + x * r)},${coord(c + y * r)}`).join(' ')}" ${paint}/>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 16 16" style="vertical-align:middle;background:#888;border-radius:2px">${shape}</svg>`;
}

/** The worst detections: a table of their counts, and their pictures when drawn. */
function worstDetectionsHtml(worst: readonly WorstDetection[]): string {
  const out: string[] = [`<h3>The ${worst.length} worst detections</h3>`];
  out.push(
    '<p class="note">Matched detections with the most landmarks inverted, swapped or missed (then the most jitter, then the lowest OKS). ' +
      'In each picture a ground-truth landmark is a small white ring, joined by a line to its predicted place, marked by its kind: ' +
      `${KINDS.map((k) => `${markSvg(k)} ${k}`).join(', ')}.</p>`,
  );
  out.push(
    `<table class="worst-detections"><tr><th class="name">image</th><th class="name">category</th><th>score</th><th>OKS</th>${KINDS.map((k) => `<th>${k}</th>`).join('')}</tr>`,
  );
  for (const d of worst) {
    out.push(
      `<tr data-detection="${d.resultIndex}"><td class="name">${imageName(d.imageId)}</td><td class="name">${escapeHtml(d.name)}</td><td>${figure(d.score)}</td>` +
        `<td data-value="${d.oks}">${figure(d.oks)}</td>${KINDS.map((k) => `<td data-kind="${k}">${d.counts[k]}</td>`).join('')}</tr>`,
    );
  }
  out.push('</table>');
  if (worst.some((d) => d.picture)) {
    out.push('<div class="thumbs worst-landmarks">');
    for (const d of worst) {
      if (!d.picture) continue;
      const counts = KINDS.filter((k) => k !== 'good' && d.counts[k] > 0).map((k) => `${d.counts[k]} ${k}`);
      out.push(
        `<figure data-detection="${d.resultIndex}" ${KINDS.map((k) => `data-${k}="${d.counts[k]}"`).join(' ')}><img alt="detection ${d.resultIndex + 1} on image ${d.imageId}" src="${d.picture}">` +
          `<figcaption>${imageName(d.imageId)} ${escapeHtml(d.name)}, OKS ${figure(d.oks)}: ${counts.join(', ')}</figcaption></figure>`,
      );
    }
    out.push('</div>');
  }
  return out.join('\n');
}
