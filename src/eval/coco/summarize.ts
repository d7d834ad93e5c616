/**
 * The official summarize(): 12 figures for boxes and masks, 10 for
 * landmarks, each the mean of the valid (> -1) precision or recall values
 * of one slice, printed in pycocotools' layout.
 */
import type { AccumulatedArrays } from './accumulate.js';
import { meanOfValid } from './numeric.js';
import { type CocoEvalParams, thresholdIndex } from './params.js';

export interface SummaryLine {
  /** The figure's name in {@link CocoFigures} (e.g. 'ap50', 'arSmall'). */
  name: FigureName;
  /** 'AP' (precision) or 'AR' (recall). */
  kind: 'AP' | 'AR';
  /** IoU threshold, or null for the mean over .50:.95. */
  iouThr: number | null;
  areaRng: string;
  maxDets: number;
  value: number;
}

/**
 * summarize()'s figures by name, beside the official `stats` vector (same values, same order).
 * Boxes and masks have 12 figures, landmarks 10: those marked "bbox, segm" or
 * "keypoints" are present for those tasks only.
 */
export interface CocoFigures {
  /** AP at IoU (OKS) .50:.95, area all. */
  ap: number;
  /** AP at IoU (OKS) .50. */
  ap50: number;
  /** AP at IoU (OKS) .75. */
  ap75: number;
  /** bbox, segm: AP of small objects (area < 32²). */
  apSmall?: number;
  /** AP of medium objects (32² to 96²). */
  apMedium: number;
  /** AP of large objects (area > 96²). */
  apLarge: number;
  /** bbox, segm: AR with at most 1 detection per image. */
  ar1?: number;
  /** bbox, segm: AR with at most 10 detections per image. */
  ar10?: number;
  /** bbox, segm: AR with at most 100 detections per image. */
  ar100?: number;
  /** keypoints: AR at OKS .50:.95 (20 detections per image). */
  ar?: number;
  /** keypoints: AR at OKS .50. */
  ar50?: number;
  /** keypoints: AR at OKS .75. */
  ar75?: number;
  /** bbox, segm: AR of small objects. */
  arSmall?: number;
  /** AR of medium objects. */
  arMedium: number;
  /** AR of large objects. */
  arLarge: number;
}

type FigureName = keyof CocoFigures;

interface Slice {
  name: FigureName;
  ap: boolean;
  iouThr?: number;
  areaRng?: string;
  maxDets: number;
}

function summaryPlan(params: CocoEvalParams): Slice[] {
  if (params.task === 'keypoints') {
    return [
      { name: 'ap', ap: true, maxDets: 20 },
      { name: 'ap50', ap: true, maxDets: 20, iouThr: 0.5 },
      { name: 'ap75', ap: true, maxDets: 20, iouThr: 0.75 },
      { name: 'apMedium', ap: true, maxDets: 20, areaRng: 'medium' },
      { name: 'apLarge', ap: true, maxDets: 20, areaRng: 'large' },
      { name: 'ar', ap: false, maxDets: 20 },
      { name: 'ar50', ap: false, maxDets: 20, iouThr: 0.5 },
      { name: 'ar75', ap: false, maxDets: 20, iouThr: 0.75 },
      { name: 'arMedium', ap: false, maxDets: 20, areaRng: 'medium' },
      { name: 'arLarge', ap: false, maxDets: 20, areaRng: 'large' },
    ];
  }
  const [m0, m1, m2] = params.maxDets as [number, number, number];
  return [
    { name: 'ap', ap: true, maxDets: 100 },
    { name: 'ap50', ap: true, iouThr: 0.5, maxDets: m2 },
    { name: 'ap75', ap: true, iouThr: 0.75, maxDets: m2 },
    { name: 'apSmall', ap: true, areaRng: 'small', maxDets: m2 },
    { name: 'apMedium', ap: true, areaRng: 'medium', maxDets: m2 },
    { name: 'apLarge', ap: true, areaRng: 'large', maxDets: m2 },
    { name: 'ar1', ap: false, maxDets: m0 },
    { name: 'ar10', ap: false, maxDets: m1 },
    { name: 'ar100', ap: false, maxDets: m2 },
    { name: 'arSmall', ap: false, areaRng: 'small', maxDets: m2 },
    { name: 'arMedium', ap: false, areaRng: 'medium', maxDets: m2 },
    { name: 'arLarge', ap: false, areaRng: 'large', maxDets: m2 },
  ];
}

let sliceValues = new Float64Array(0);

/** Mean of precision (or recall) over a slice, in numpy's C order; -1 if nothing is valid. */
export function sliceMean(params: CocoEvalParams, acc: AccumulatedArrays, slice: Omit<Slice, 'name'>, categories?: readonly number[]): number {
  const { T, R, K, A, M } = acc.dims;
  const a = params.areaLabels.indexOf(slice.areaRng ?? 'all');
  const m = params.maxDets.indexOf(slice.maxDets);
  if (a < 0 || m < 0) return -1;
  let ts: number[];
  if (slice.iouThr === undefined) ts = Array.from({ length: T }, (_, t) => t);
  else {
    const t = thresholdIndex(params, slice.iouThr);
    ts = t < 0 ? [] : [t];
  }
  const ks = categories ?? Array.from({ length: K }, (_, k) => k);
  // The slice's values in a typed array kept between calls, compacted in place by meanOfValid (a JS array grown by
  // push, or a new array per slice, cost the summary of a small evaluation more than its matching).
  const size = ts.length * (slice.ap ? R : 1) * ks.length;
  if (sliceValues.length < size) sliceValues = new Float64Array(size);
  const values = sliceValues.subarray(0, size);
  let n = 0;
  for (const t of ts) {
    if (slice.ap) {
      for (let r = 0; r < R; r++) for (const k of ks) values[n++] = acc.precision[(((t * R + r) * K + k) * A + a) * M + m]!;
    } else {
      for (const k of ks) values[n++] = acc.recall[((t * K + k) * A + a) * M + m]!;
    }
  }
  return meanOfValid(values, values);
}

export function summarizeStats(params: CocoEvalParams, acc: AccumulatedArrays): SummaryLine[] {
  return summaryPlan(params).map((slice) => ({
    name: slice.name,
    kind: slice.ap ? 'AP' : 'AR',
    iouThr: slice.iouThr ?? null,
    areaRng: slice.areaRng ?? 'all',
    maxDets: slice.maxDets,
    value: sliceMean(params, acc, slice),
  }));
}

/** The summary's figures by name (see {@link CocoFigures}). */
export function namedFigures(summary: readonly SummaryLine[]): CocoFigures {
  return Object.fromEntries(summary.map((line) => [line.name, line.value])) as unknown as CocoFigures;
}

/** AP of one category: IoU .50:.95, area all, the largest maxDets; -1 when it has no ground truth. */
export function categoryAp(params: CocoEvalParams, acc: AccumulatedArrays, k: number): number {
  return sliceMean(params, acc, { ap: true, maxDets: params.maxDets[params.maxDets.length - 1]! }, [k]);
}

/** AP, AP50, AP75 over all categories (the figures of the per-attribute tables). */
export function headlineAp(params: CocoEvalParams, acc: AccumulatedArrays): [number, number, number] {
  const maxDets = params.maxDets[params.maxDets.length - 1]!;
  return [
    sliceMean(params, acc, { ap: true, maxDets }),
    sliceMean(params, acc, { ap: true, maxDets, iouThr: 0.5 }),
    sliceMean(params, acc, { ap: true, maxDets, iouThr: 0.75 }),
  ];
}

/** One line as pycocotools prints it, e.g. " Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.441". */
export function formatSummaryLine(params: CocoEvalParams, line: SummaryLine): string {
  const title = line.kind === 'AP' ? 'Average Precision' : 'Average Recall';
  const type = line.kind === 'AP' ? '(AP)' : '(AR)';
  const thrs = params.iouThrs;
  const iou = line.iouThr === null ? `${pyFixed(thrs[0]!, 2)}:${pyFixed(thrs[thrs.length - 1]!, 2)}` : pyFixed(line.iouThr, 2);
  return ` ${title.padEnd(18)} ${type} @[ IoU=${iou.padEnd(9)} | area=${line.areaRng.padStart(6)} | maxDets=${String(line.maxDets).padStart(3)} ] = ${pyFixed(line.value, 3)}`;
}

/**
 * Python's '{:.Nf}' formatting: the exact binary value rounded half to even.
 * (JS toFixed rounds exact ties away from zero: 0.0625 -> "0.063", Python "0.062".)
 */
export function pyFixed(value: number, digits: number): string {
  if (!Number.isFinite(value)) return String(value);
  const negative = value < 0 || Object.is(value, -0);
  const exact = exactDecimal(Math.abs(value));
  const [whole, frac = ''] = exact.split('.');
  if (frac.length <= digits) return `${negative ? '-' : ''}${whole}${digits > 0 ? '.' + frac.padEnd(digits, '0') : ''}`;
  let kept = BigInt(whole + frac.slice(0, digits));
  const rest = frac.slice(digits);
  const half = '5'.padEnd(rest.length, '0');
  if (rest > half || (rest === half && kept % 2n === 1n)) kept += 1n;
  let text = kept.toString().padStart(digits + 1, '0');
  if (digits > 0) text = `${text.slice(0, -digits)}.${text.slice(-digits)}`;
  return `${negative ? '-' : ''}${text}`;
}

/** The exact decimal expansion of a non-negative finite double. */
function exactDecimal(value: number): string {
  if (Number.isInteger(value)) return BigInt(value).toString();
  // value = mantissa * 2^exponent exactly, with exponent < 0: scale by 5^-exponent.
  let exponent = 0;
  let mantissa = value;
  while (!Number.isInteger(mantissa)) {
    mantissa *= 2;
    exponent--;
  }
  const digits = (BigInt(mantissa) * 5n ** BigInt(-exponent)).toString().padStart(-exponent + 1, '0');
  return `${digits.slice(0, exponent)}.${digits.slice(exponent)}`;
}
