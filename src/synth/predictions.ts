/**
 * Imitation model outputs for a synthetic image: what a trained detector
 * (detectron-style Mask R-CNN with a keypoint head) might return. Each true
 * item is found or missed; found items get a box, mask and landmarks that are
 * the truth moved and jittered by an amount that grows as the item gets
 * harder (tiny, occluded, zoomed in, seen from the side), sometimes the wrong
 * class, sometimes a duplicate; a few false positives land on the background.
 * Scores follow the quality of each guess with noise, and are sometimes
 * coarse so that ties occur. The aim is evaluation figures in the middle of
 * the range (AP roughly 0.3-0.7), not a model.
 */
import { place, rotationFromHalfTangent, type Placement } from './geometry.js';
import { Random, STREAM } from '../util/random.js';
import { CATEGORY_WEIGHTS, type SynthImage, type SynthItem } from './scene.js';
import { templateFor } from './templates.js';

export interface Detection {
  imageId: number;
  categoryId: number;
  /** [x1, y1, x2, y2], inside the image. */
  box: [number, number, number, number];
  score: number;
  /** Mask polygons (flat, image coordinates). */
  polygons: number[][];
  /** [x, y, confidence] per landmark of `categoryId`. */
  landmarks: number[];
  /** Index of the true item this stands for in image.items, or -1 (background). */
  truth: number;
  /** How good the guess is, 0..1 (drives retrieval guesses too). */
  quality: number;
}

/** Categories a detector confuses with each other. */
const CONFUSABLE: Record<number, number[]> = {
  1: [2, 5, 10],
  2: [1, 4, 11],
  3: [1, 4],
  4: [2, 3],
  5: [1, 6, 12],
  6: [5, 13],
  7: [8, 9],
  8: [7, 9],
  9: [7, 8, 12],
  10: [1, 11, 12],
  11: [2, 10],
  12: [5, 10, 13],
  13: [6, 12],
};

/** How hard an item is to find and outline, 0 (easy) to about 1. */
function hardness(item: SynthItem): number {
  const [x1, y1, x2, y2] = item.boundingBox;
  const tiny = (x2 - x1) * (y2 - y1) < 32 * 32;
  return (tiny ? 0.35 : 0) + (item.scale === 1 ? 0.15 : 0) + (item.occlusion - 1) * 0.1 + (item.zoomIn === 3 ? 0.1 : 0) + (item.viewpoint === 3 ? 0.05 : 0);
}

const clamp = (v: number, low: number, high: number): number => Math.min(high, Math.max(low, v));

/** The detections of one image, highest score first (ties keep their order). */
export function imitateDetections(seed: number, image: SynthImage): Detection[] {
  const rng = Random.from(seed, STREAM.detections, image.id);
  const detections: Detection[] = [];
  image.items.forEach((item, index) => {
    const h = hardness(item);
    if (rng.chance(Math.min(0.7, 0.06 + 0.5 * h))) return; // missed
    const quality = clamp(0.85 - h + rng.normal(0.15), 0.05, 1);
    const categoryId = rng.chance(0.9 - 0.25 * h) ? item.categoryId : rng.pick(CONFUSABLE[item.categoryId]!);
    const score = clamp(0.2 + 0.75 * quality + rng.normal(0.12), 0.02, 0.999);
    detections.push(fromTruth(rng, image, item, index, categoryId, quality, score, 1));
    if (rng.chance(0.12)) {
      // A second, looser box for the same item: same class or a neighbour.
      const other = rng.chance(0.5) ? categoryId : rng.pick(CONFUSABLE[item.categoryId]!);
      const q = clamp(quality - 0.3, 0.05, 1);
      detections.push(fromTruth(rng, image, item, index, other, q, score * rng.uniform(0.25, 0.7), 2));
    }
  });
  const falsePositives = rng.weighted([0.45, 0.3, 0.15, 0.07, 0.03]);
  for (let f = 0; f < falsePositives; f++) detections.push(background(rng, image));

  // Some models print coarse scores: ties, which the evaluation breaks by file order.
  const decimals = rng.chance(0.08) ? 2 : 6;
  for (const d of detections) d.score = Math.min(round(Math.max(d.score, 0.01), decimals), 1 - 10 ** -decimals);
  // A stable sort keeps generation order among equal scores.
  return detections.sort((a, b) => b.score - a.score);
}

/** A detection of a true item: its geometry mapped to a jittered box, then jittered point by point. */
function fromTruth(
  rng: Random,
  image: SynthImage,
  item: SynthItem,
  index: number,
  categoryId: number,
  quality: number,
  score: number,
  looseness: number,
): Detection {
  const [gx1, gy1, gx2, gy2] = item.boundingBox;
  const gw = Math.max(1, gx2 - gx1);
  const gh = Math.max(1, gy2 - gy1);
  const spread = (0.015 + 0.13 * (1 - quality)) * looseness;
  const box = fitBox([gx1 + rng.normal(spread * gw), gy1 + rng.normal(spread * gh), gx2 + rng.normal(spread * gw), gy2 + rng.normal(spread * gh)], image);
  const sx = (box[2] - box[0]) / gw;
  const sy = (box[3] - box[1]) / gh;
  const map = (x: number, y: number): [number, number] => [box[0] + (x - gx1) * sx, box[1] + (y - gy1) * sy];
  const size = Math.sqrt((box[2] - box[0]) * (box[3] - box[1]));
  const maskJitter = (0.005 + 0.04 * (1 - quality)) * size;
  const polygons = item.pieces.map((polygon) => {
    const out: number[] = [];
    // Drop the closing vertex: the mask API closes polygons itself.
    for (let i = 0; i + 2 < polygon.length; i += 2) {
      const [x, y] = map(polygon[i]!, polygon[i + 1]!);
      out.push(x + rng.normal(maskJitter), y + rng.normal(maskJitter));
    }
    return clampPolygon(out, image);
  });
  let landmarks: number[];
  if (categoryId === item.categoryId) {
    // The landmark head looks at the item itself: its errors do not follow the box's.
    const jitter = (0.01 + 0.06 * (1 - quality)) * Math.sqrt(gw * gh);
    landmarks = [];
    for (let k = 0; k * 2 < item.points.length; k++) {
      const x = item.points[2 * k]!;
      const y = item.points[2 * k + 1]!;
      const labelled = item.landmarks[3 * k + 2]! > 0;
      const confidence = clamp((labelled ? 0.25 : 0.05) + 0.7 * quality + rng.normal(0.15), 0.01, 1);
      landmarks.push(clamp(x + rng.normal(jitter), 0, image.width), clamp(y + rng.normal(jitter), 0, image.height), confidence);
    }
  } else {
    landmarks = templateLandmarks(rng, categoryId, box, image, quality);
  }
  return { imageId: image.id, categoryId, box, score, polygons, landmarks, truth: index, quality };
}

/** A false positive: a box on the background with a garment shape of a random category. */
function background(rng: Random, image: SynthImage): Detection {
  const w = rng.uniform(0.08, 0.5) * image.width;
  const h = rng.uniform(0.08, 0.5) * image.height;
  const x = rng.uniform(0, image.width - w);
  const y = rng.uniform(0, image.height - h);
  const box = fitBox([x, y, x + w, y + h], image);
  const categoryId = 1 + rng.weighted(CATEGORY_WEIGHTS);
  const template = templateFor(categoryId);
  const placement = boxPlacement(template.bounds, box);
  const polygons = template.pieces.map((ids) => {
    const out: number[] = [];
    for (const k of ids) out.push(...place(placement, template.landmarks[k - 1]![0], template.landmarks[k - 1]![1]));
    return clampPolygon(out, image);
  });
  const score = rng.chance(0.06) ? rng.uniform(0.4, 0.8) : rng.uniform(0.02, 0.35);
  const landmarks = templateLandmarks(rng, categoryId, box, image, 0.2);
  return { imageId: image.id, categoryId, box, score, polygons, landmarks, truth: -1, quality: 0 };
}

/** Landmarks of a category's template stretched over a box (a guess with no truth behind it). */
function templateLandmarks(rng: Random, categoryId: number, box: number[], image: SynthImage, quality: number): number[] {
  const template = templateFor(categoryId);
  const placement = boxPlacement(template.bounds, box);
  const jitter = 0.03 * Math.sqrt((box[2]! - box[0]!) * (box[3]! - box[1]!));
  const out: number[] = [];
  for (const [tx, ty] of template.landmarks) {
    const [x, y] = place(placement, tx, ty);
    out.push(
      clamp(x + rng.normal(jitter), 0, image.width),
      clamp(y + rng.normal(jitter), 0, image.height),
      clamp(0.1 + 0.5 * quality + rng.normal(0.1), 0.01, 1),
    );
  }
  return out;
}

function boxPlacement(bounds: readonly number[], box: number[]): Placement {
  const [bx0, by0, bx1, by1] = bounds as [number, number, number, number];
  return {
    cx: (box[0]! + box[2]!) / 2,
    cy: (box[1]! + box[3]!) / 2,
    frameX: (bx0 + bx1) / 2,
    frameY: (by0 + by1) / 2,
    sx: (box[2]! - box[0]!) / (bx1 - bx0),
    sy: (box[3]! - box[1]!) / (by1 - by0),
    ...rotationFromHalfTangent(0),
  };
}

/** Orders, clamps to the image and keeps at least a 1-pixel box. */
function fitBox(raw: number[], image: SynthImage): [number, number, number, number] {
  let x1 = clamp(Math.min(raw[0]!, raw[2]!), 0, image.width - 1);
  let y1 = clamp(Math.min(raw[1]!, raw[3]!), 0, image.height - 1);
  let x2 = clamp(Math.max(raw[0]!, raw[2]!), 0, image.width);
  let y2 = clamp(Math.max(raw[1]!, raw[3]!), 0, image.height);
  if (x2 - x1 < 1) x2 = Math.min(image.width, x1 + 1);
  if (y2 - y1 < 1) y2 = Math.min(image.height, y1 + 1);
  if (x2 - x1 < 1) x1 = x2 - 1;
  if (y2 - y1 < 1) y1 = y2 - 1;
  return [x1, y1, x2, y2];
}

function clampPolygon(polygon: number[], image: SynthImage): number[] {
  return polygon.map((v, i) => clamp(v, 0, i % 2 === 0 ? image.width : image.height));
}

/** Rounds to a number of decimals (as detectron's JSON output effectively is: short numbers). */
export function round(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}
