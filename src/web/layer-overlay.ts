/**
 * A layer drawn over an image: each prediction in the color of its verdict
 * (matched, false positive, ignored, not evaluated) with its score and IoU
 * (OKS), and the ground-truth items the predictions missed outlined; a
 * keypoint detection's landmarks each marked with its kind in the landmark
 * error analysis (good, jitter, inversion, swap, miss). An SVG
 * in image coordinates laid over the image like the annotation overlay.
 */
import type { Category, ImageJson } from './api.js';
import { LANDMARK_KIND_COLORS, VERDICT_COLORS, type LandmarkKindName } from '../shared/colors.js';
import { LANDMARK_MARKS } from '../shared/landmark-marks.js';
import { h, s } from './dom.js';
import type { LayerImageJson, PredictionJson } from './layer-api.js';

/** The verdicts' colours, df2's everywhere (src/shared/colors.ts): no category's, and apart for colour-blind readers. */
export const STATE_COLORS: Readonly<Record<string, string>> = VERDICT_COLORS;
const STATE_LABELS: Record<string, string> = {
  matched: 'matched',
  'false-positive': 'false positive',
  missed: 'missed',
  ignored: 'ignored',
  'not-evaluated': 'not evaluated',
};
/**
 * The same verdicts in the words of the retrieval protocol, which counts
 * queries (found or not in the top 20) and detections (standing for a query
 * or for none): the counts, the legend and the tables all use these.
 */
const RETRIEVAL_LABELS: Record<string, string> = {
  matched: 'stands for a query',
  'false-positive': 'unused',
  missed: 'not found',
  ignored: 'not a query (style 0)',
  'not-evaluated': 'not evaluated',
};
/** A retrieval layer's images list their queries; COCO layers' do not. */
export const isRetrieval = (layer: LayerImageJson): boolean => layer.queries !== undefined;
export const labelsOf = (retrieval: boolean): Record<string, string> => (retrieval ? RETRIEVAL_LABELS : STATE_LABELS);

/** A mask (column-major runs) as a PNG data URL in one color. */
function maskUrl(mask: NonNullable<PredictionJson['mask']>, color: string): string {
  const [height, width] = mask.size;
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d')!;
  const data = ctx.createImageData(width, height);
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(color.slice(i, i + 2), 16)) as [number, number, number];
  let at = 0;
  mask.runs.forEach((run, k) => {
    if (k % 2 === 1) {
      for (let p = at; p < at + run; p++) {
        const o = ((p % height) * width + Math.floor(p / height)) * 4;
        data.data[o] = r;
        data.data[o + 1] = g;
        data.data[o + 2] = b;
        data.data[o + 3] = 110;
      }
    }
    at += run;
  });
  ctx.putImageData(data, 0, 0);
  return canvas.toDataURL();
}

function predictionLabel(p: PredictionJson, categories: Category[], metric: string, retrieval = false): string {
  const name = categories[p.category_id - 1]?.name ?? String(p.category_id);
  const best = p.best === null ? '' : ` · ${metric} ${p.best.toFixed(2)}`;
  const verdict = retrieval && p.matched_item ? `stands for ${p.matched_item}` : `${labelsOf(retrieval)[p.state]}${p.matched_item ? ` ${p.matched_item}` : ''}`;
  return `${name} ${p.score.toFixed(2)}${best} · ${verdict}`;
}

/** What each landmark kind means, for the legend and the marks' titles. */
const LANDMARK_KIND_LABELS: Record<LandmarkKindName, string> = {
  good: 'good (ks > .85)',
  jitter: 'jitter (.5 ≤ ks < .85)',
  inversion: 'inversion (on its flipped landmark)',
  swap: "swap (on another garment's landmark)",
  miss: 'miss (ks < .5 everywhere)',
};

/**
 * A landmark's mark: a shape per kind, so kinds differ without colour too
 * (good a circle, jitter a square, inversion a diamond, swap a triangle,
 * miss a cross: the shapes of src/shared/landmark-marks.ts, which the report's
 * pictures draw too); `r` is its half size.
 */
function landmarkMark(kind: LandmarkKindName, x: number, y: number, r: number, unit: number): SVGElement {
  const attrs = { fill: LANDMARK_KIND_COLORS[kind], stroke: '#fff', 'stroke-width': unit, class: 'pred-kp', 'data-kind': kind };
  const geometry = LANDMARK_MARKS[kind];
  const mark =
    geometry.shape === 'circle'
      ? s('circle', { ...attrs, cx: x, cy: y, r })
      : geometry.shape === 'square'
        ? s('rect', { ...attrs, x: x - r, y: y - r, width: 2 * r, height: 2 * r })
        : s('polygon', { ...attrs, points: geometry.points.map(([dx, dy]) => `${x + dx * r},${y + dy * r}`).join(' ') });
  mark.append(s('title', null, LANDMARK_KIND_LABELS[kind]));
  return mark;
}

export interface LayerDrawOptions {
  labels: boolean;
  masks: boolean;
  landmarks: boolean;
}

export function layerOverlay(image: ImageJson, layer: LayerImageJson, categories: Category[], options: LayerDrawOptions): SVGSVGElement {
  const width = image.width || 1,
    height = image.height || 1;
  const unit = Math.max(1, Math.max(width, height) / 600);
  const svg = s('svg', {
    class: 'overlay layer-overlay',
    viewBox: `0 0 ${width} ${height}`,
    preserveAspectRatio: 'none',
    'data-predictions': layer.predictions.length,
    // The table of predictions beside it says the same in words.
    'aria-hidden': 'true',
  });
  // Missed ground truth first (under the predictions): a dashed outline.
  for (const item of image.items) {
    const state = layer.ground_truth[item.key];
    if (state !== 'missed') continue;
    const [x1, y1, x2, y2] = item.bounding_box;
    svg.append(
      s(
        'rect',
        {
          x: x1,
          y: y1,
          width: x2 - x1,
          height: y2 - y1,
          fill: 'none',
          stroke: STATE_COLORS.missed,
          'stroke-width': unit * 3,
          'stroke-dasharray': `${unit * 8} ${unit * 5}`,
          class: 'gt-missed',
          'data-item': item.key,
        },
        s('title', null, `${item.key} ${labelsOf(isRetrieval(layer)).missed}`),
      ),
    );
  }
  for (const p of layer.predictions) {
    const color = STATE_COLORS[p.state] ?? '#a3a3a3';
    const g = s('g', { class: 'pred', 'data-pred': p.index, 'data-state': p.state });
    const label = predictionLabel(p, categories, layer.metric, isRetrieval(layer));
    g.append(s('title', null, label));
    if (p.mask && options.masks)
      g.append(s('image', { href: maskUrl(p.mask, color), x: 0, y: 0, width: p.mask.size[1], height: p.mask.size[0], preserveAspectRatio: 'none' }));
    if (p.bbox) {
      const [x, y, w, hh] = p.bbox;
      g.append(
        s('rect', {
          x,
          y,
          width: w,
          height: hh,
          fill: 'none',
          stroke: color,
          'stroke-width': unit * 2.2,
          'stroke-dasharray': p.state === 'matched' ? null : `${unit * 3} ${unit * 3}`,
          class: 'pred-box',
        }),
      );
      if (options.labels) {
        const size = unit * 12;
        const text = `${p.score.toFixed(2)}${p.best === null ? '' : ` ${layer.metric} ${p.best.toFixed(2)}`}`;
        g.append(s('rect', { x, y: y + hh - size * 1.3, width: text.length * size * 0.56 + size * 0.6, height: size * 1.3, fill: color, class: 'label-bg' }));
        g.append(s('text', { x: x + size * 0.3, y: y + hh - size * 0.3, 'font-size': size, fill: '#fff', class: 'label' }, text));
      }
    }
    if (p.keypoints && options.landmarks) {
      for (let k = 0; k + 2 < p.keypoints.length; k += 3) {
        const [x, y, v] = [p.keypoints[k]!, p.keypoints[k + 1]!, p.keypoints[k + 2]!];
        // The analysis classifies a landmark wherever the ground truth labels it, drawn where the detection put it.
        const kind = p.landmark_kinds?.[k / 3];
        if (kind) {
          g.append(landmarkMark(kind, x, y, unit * 3, unit));
          continue;
        }
        if (v <= 0 || (x === 0 && y === 0)) continue;
        g.append(
          s('rect', {
            x: x - unit * 2.4,
            y: y - unit * 2.4,
            width: unit * 4.8,
            height: unit * 4.8,
            fill: color,
            stroke: '#fff',
            'stroke-width': unit,
            class: 'pred-kp',
          }),
        );
      }
    }
    svg.append(g);
  }
  return svg;
}

/**
 * tp / fp / fn as small badges; for retrieval in the words of the layer's
 * summary table: queries found, detections unused, queries not found.
 */
export function tallyBadges(tally: { tp: number; fp: number; fn: number }, retrieval = false): HTMLElement {
  const [tp, fp, fn] = retrieval
    ? [
        [`${tally.tp} found`, 'queries found in the top 20'],
        [`${tally.fp} unused`, 'detections standing for no query'],
        [`${tally.fn} not found`, 'queries not found in the top 20 (or no detection stands for them)'],
      ]
    : [
        [`${tally.tp} TP`, 'matched detections'],
        [`${tally.fp} FP`, 'false positives'],
        [`${tally.fn} FN`, 'missed ground truth'],
      ];
  return h(
    'span',
    { class: 'tally', 'data-tp': tally.tp, 'data-fp': tally.fp, 'data-fn': tally.fn },
    h('span', { class: 'tally-tp', title: tp![1] }, tp![0]),
    h('span', { class: 'tally-fp', title: fp![1] }, fp![0]),
    h('span', { class: 'tally-fn', title: fn![1] }, fn![0]),
  );
}

/** The landmark kinds' marks (keypoints layers). */
export function landmarkLegend(): HTMLElement {
  return h(
    'div',
    { class: 'state-legend landmark-legend' },
    (Object.keys(LANDMARK_KIND_LABELS) as LandmarkKindName[]).map((kind) => {
      const mark = s('svg', { class: 'legend-mark', viewBox: '-5 -5 10 10', width: 12, height: 12, 'aria-hidden': 'true' }, landmarkMark(kind, 0, 0, 3, 0.6));
      return h('span', { class: 'legend-entry', 'data-kind': kind }, mark, LANDMARK_KIND_LABELS[kind]);
    }),
  );
}

export function stateLegend(task: string): HTMLElement {
  const entries: [string, string][] =
    task === 'retrieval'
      ? [
          ['matched', 'detection standing for a query'],
          ['false-positive', 'unused: standing for no query'],
          ['missed', 'query not found (dashed)'],
        ]
      : [
          ['matched', 'matched'],
          ['false-positive', 'false positive'],
          ['missed', 'missed ground truth'],
          ['ignored', 'ignored'],
        ];
  return h(
    'div',
    { class: 'state-legend' },
    entries.map(([state, text]) =>
      h('span', { class: 'legend-entry' }, h('span', { class: 'legend-swatch', style: `background: ${STATE_COLORS[state]}` }), text),
    ),
  );
}
