/**
 * DeepFashion2 items as Ultralytics YOLO label lines (one text file per
 * image, one line per item, coordinates divided by the image size):
 *
 * - detect:  `class cx cy w h`
 * - segment: `class x1 y1 x2 y2 ...`: one polygon per item. Items drawn as
 *   several polygons are joined into one the way Ultralytics' own COCO
 *   converter does (merge_multi_segment): consecutive parts are linked at
 *   their two nearest vertices and each link is walked out and back, so it
 *   adds no area. Unlike that function, df2 keeps every link at the nearest
 *   vertices (Ultralytics' reversal of middle parts moves some links).
 * - pose:    `class cx cy w h` then 294 x (x y v) in the 294-landmark layout,
 *   v as DeepFashion2 and Ultralytics both mean it: 0 unlabelled, 1 labelled
 *   but occluded, 2 visible.
 *
 * Class = category_id - 1. Coordinates are clamped to [0, 1] (Ultralytics
 * rejects label files with values outside); boxes that are empty after
 * clamping are skipped, as Ultralytics' converter skips w <= 0 or h <= 0.
 * Numbers are written like C's %g (six significant digits), as Ultralytics does.
 */
import type { Corners, Item } from '../schema/index.js';
import { CATEGORIES, LANDMARK_FLIP, TOTAL_LANDMARKS, categoryById } from '../schema/index.js';
import { joinNumbers } from './join-numbers.js';

export type YoloTask = 'detect' | 'segment' | 'pose';
export const YOLO_TASKS: readonly YoloTask[] = ['detect', 'segment', 'pose'];

interface ImageSize {
  width: number;
  height: number;
}

/**
 * C's printf("%g") as Ultralytics writes labels: six significant digits,
 * rounded half to even on the exact binary value, trailing zeros dropped,
 * exponent form below 1e-4 and from 1e6.
 */
export function formatG(v: number): string {
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
  const abs = Math.abs(v);
  if (Number.isInteger(v) && abs < 1e6) return String(v);
  if (abs >= 0.1 && abs < 0.9999995) {
    // Most label values are coordinates in [0.1, 1): six significant digits
    // are six decimals. Away from a rounding tie, rounding the scaled double
    // is exact enough, and its shortest form drops trailing zeros.
    const scaled = abs * 1e6;
    const rounded = Math.round(scaled);
    if (Math.abs(Math.abs(rounded - scaled) - 0.5) > 1e-6) return String((v < 0 ? -rounded : rounded) / 1e6);
  }
  return formatGExact(v);
}

const TEN = 10n;

/** %g from the exact value of the double (BigInt arithmetic): the slow, always right path. */
function formatGExact(v: number): string {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(v));
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = hi >>> 20;
  const fraction = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  // |v| = mantissa * 2^power exactly.
  const mantissa = biased === 0 ? fraction : fraction | (1n << 52n);
  const power = biased === 0 ? -1074 : biased - 1075;

  let e = Math.floor(Math.log10(Math.abs(v)));
  let digits: bigint;
  for (;;) {
    // q = |v| * 10^(5 - e) as num / den; six digits before the point when e is right.
    let num = mantissa;
    let den = 1n;
    if (power >= 0) num <<= BigInt(power);
    else den <<= BigInt(-power);
    if (5 - e >= 0) num *= TEN ** BigInt(5 - e);
    else den *= TEN ** BigInt(e - 5);
    const whole = num / den;
    if (whole < 100000n) {
      e--;
      continue;
    }
    if (whole >= 1000000n) {
      e++;
      continue;
    }
    const twiceRest = 2n * (num - whole * den);
    digits = twiceRest > den || (twiceRest === den && whole % 2n === 1n) ? whole + 1n : whole;
    if (digits === 1000000n) {
      digits = 100000n;
      e++;
    }
    break;
  }
  const text = digits.toString(); // six digits
  const sign = v < 0 ? '-' : '';
  if (e < -4 || e >= 6) {
    const mantissaText = trimZeros(`${text[0]}.${text.slice(1)}`);
    return `${sign}${mantissaText}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  if (e >= 0) return sign + trimZeros(`${text.slice(0, e + 1)}.${text.slice(e + 1)}`);
  return sign + trimZeros(`0.${'0'.repeat(-e - 1)}${text}`);
}

/** "0.250000" -> "0.25", "3.00000" -> "3", "3." -> "3" (only after a decimal point). */
function trimZeros(text: string): string {
  if (!text.includes('.')) return text;
  let end = text.length;
  while (text.charCodeAt(end - 1) === 48 /* 0 */) end--;
  if (text.charCodeAt(end - 1) === 46 /* . */) end--;
  return text.slice(0, end);
}

/** Numbers as %g separated by spaces. */
function formatValues(values: readonly number[]): string {
  return joinNumbers(values, ' ', '0', formatG);
}

const clamp01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v);

/** Normalized [cx, cy, w, h] of a corner box clamped to the image, or undefined when nothing is left. */
function yoloBox(box: Corners, size: ImageSize): [number, number, number, number] | undefined {
  const x1 = clamp01(box[0] / size.width);
  const y1 = clamp01(box[1] / size.height);
  const x2 = clamp01(box[2] / size.width);
  const y2 = clamp01(box[3] / size.height);
  if (x2 <= x1 || y2 <= y1) return undefined;
  return [(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1];
}

type Point = readonly [number, number];

function toPoints(polygon: readonly number[]): Point[] {
  const points: Point[] = [];
  for (let i = 0; i + 1 < polygon.length; i += 2) points.push([polygon[i]!, polygon[i + 1]!]);
  return points;
}

/** Indexes (into a, into b) of the closest pair of vertices; the first such pair on ties. */
function nearestVertices(a: readonly Point[], b: readonly Point[]): [number, number] {
  let best = Infinity;
  let pair: [number, number] = [0, 0];
  for (let i = 0; i < a.length; i++) {
    for (let j = 0; j < b.length; j++) {
      const dx = a[i]![0] - b[j]![0];
      const dy = a[i]![1] - b[j]![1];
      const d = dx * dx + dy * dy;
      if (d < best) {
        best = d;
        pair = [i, j];
      }
    }
  }
  return pair;
}

/** Vertices from index `from` to index `to` (inclusive), walking forward around the ring. */
function arc(ring: readonly Point[], from: number, to: number): Point[] {
  const n = ring.length;
  const steps = (to - from + n) % n;
  const out: Point[] = [];
  for (let k = 0; k <= steps; k++) out.push(ring[(from + k) % n]!);
  return out;
}

/** The whole ring starting and ending at `start` (n + 1 vertices). */
const loop = (ring: readonly Point[], start: number): Point[] => [...arc(ring, start, (start - 1 + ring.length) % ring.length), ring[start]!];

/**
 * Several polygons joined into one flat [x1, y1, x2, y2, ...] path. Part i is
 * linked to part i + 1 at their nearest vertices. The path goes around the
 * first part, then forward along each middle part from where it was entered
 * to where the next link leaves, around the last part, and back through the
 * rest of each middle part; closing the path returns along the first link.
 * Every link is thus walked once each way and encloses nothing.
 */
export function joinPolygons(polygons: readonly (readonly number[])[]): number[] {
  const parts = polygons.map(toPoints).filter((p) => p.length > 0);
  if (parts.length === 0) return [];
  if (parts.length === 1) return parts[0]!.flat();
  const leave = new Array<number>(parts.length).fill(0);
  const enter = new Array<number>(parts.length).fill(0);
  for (let i = 1; i < parts.length; i++) [leave[i - 1], enter[i]] = nearestVertices(parts[i - 1]!, parts[i]!);
  const last = parts.length - 1;
  const path: Point[] = [...loop(parts[0]!, leave[0]!)];
  for (let i = 1; i < last; i++) path.push(...arc(parts[i]!, enter[i]!, leave[i]!));
  path.push(...loop(parts[last]!, enter[last]!));
  for (let i = last - 1; i >= 1; i--) {
    const ring = parts[i]!;
    // The rest of the ring, from the outgoing link back round to the incoming one.
    path.push(...(leave[i] === enter[i] ? loop(ring, leave[i]!) : arc(ring, leave[i]!, enter[i]!)));
  }
  return path.flat();
}

/** The corner box as a 4-vertex polygon, for items without a polygon. */
const boxPolygon = ([x1, y1, x2, y2]: Corners): number[] => [x1, y1, x2, y1, x2, y2, x1, y2];

/** Normalized, clamped x y pairs of a flat pixel path. */
function normalizePath(path: readonly number[], size: ImageSize): number[] {
  return path.map((v, i) => clamp01(v / (i % 2 === 0 ? size.width : size.height)));
}

/** The 294 x (x, y, v) keypoints of an item, normalized, with its landmarks at its category's offset. */
function yoloKeypoints(item: Pick<Item, 'categoryId' | 'landmarks'>, size: ImageSize): number[] {
  const category = categoryById(item.categoryId);
  if (!category) throw new RangeError(`category_id ${item.categoryId} is not 1..13`);
  const values = new Array<number>(TOTAL_LANDMARKS * 3).fill(0);
  const base = category.offset * 3;
  for (let i = 0; i + 2 < item.landmarks.length && i < category.landmarks * 3; i += 3) {
    const v = item.landmarks[i + 2]!;
    if (v === 0) continue; // unlabelled: 0 0 0
    values[base + i] = clamp01(item.landmarks[i]! / size.width);
    values[base + i + 1] = clamp01(item.landmarks[i + 1]! / size.height);
    values[base + i + 2] = v;
  }
  return values;
}

/** One label line for an item, or undefined when its box is empty inside the image. */
export function yoloLabelLine(item: Item, size: ImageSize, task: YoloTask): string | undefined {
  const box = yoloBox(item.boundingBox, size);
  if (!box) return undefined;
  const cls = String(item.categoryId - 1);
  let values: number[];
  if (task === 'detect') values = box;
  else if (task === 'pose') values = [...box, ...yoloKeypoints(item, size)];
  else {
    const joined = joinPolygons(item.segmentation);
    values = normalizePath(joined.length >= 6 ? joined : boxPolygon(item.boundingBox), size);
  }
  return `${cls} ${formatValues(values)}`;
}

/** The label file of one image, and how many items had to be left out (empty boxes). */
export function yoloLabelText(items: readonly Item[], size: ImageSize, task: YoloTask): { text: string; written: number; skipped: number } {
  let text = '';
  let written = 0;
  for (const item of items) {
    const line = yoloLabelLine(item, size, task);
    if (line === undefined) continue;
    text += line + '\n';
    written++;
  }
  return { text, written, skipped: items.length - written };
}

/**
 * For each of the 294 keypoints, the keypoint it becomes in a horizontally
 * flipped image (Ultralytics' flip_idx): the category's left/right partner,
 * or itself.
 */
export function yoloFlipIndex(): number[] {
  return [...LANDMARK_FLIP];
}

/** Class index -> COCO name, as data.yaml's `names` (a Map so that YAML writes the keys as numbers). */
export function yoloClassNames(): Map<number, string> {
  return new Map(CATEGORIES.map((c) => [c.id - 1, c.cocoName]));
}
