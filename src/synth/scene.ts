/**
 * The synthetic split itself: pair groups, their images, and the items in
 * each image with attributes, landmarks (with visibility) and masks.
 *
 * A pair group (one pair_id) is a few garments ("styles" 1..k) seen in shop
 * photos and in consumer ("user") photos, plus unrelated style-0 garments,
 * as in the release: a user item and a shop item form a positive pair when
 * they share pair_id and a style > 0. Proportions follow the release roughly
 * (category mix of its Figure 3, 1-4 items per image with 1-2 most common,
 * attribute mixes of its tables, image sides ~300-1000 px).
 *
 * Every random choice comes from streams keyed by (seed, purpose, index), so
 * a group depends only on the seed and its index, and an image only on the
 * seed, its id and its group's plan.
 */
import type { Item, Source } from '../schema/index.js';
import { drawGarment } from './garment.js';
import { insidePolygon, polygonBounds, rotationFromHalfTangent, type Placement } from './geometry.js';
import { Random, STREAM } from '../util/random.js';
import { templateFor } from './templates.js';

export type Rgb = readonly [number, number, number];

/**
 * An item of the release's annotation (schema's Item, less what the file
 * layout derives: its key from its position, its category name from its id),
 * plus the truth kept for painting and imitation predictions. Landmarks with
 * v = 0 have x = y = 0; polygons are closed: the outline pieces, then
 * (usually) the extra parts.
 */
export interface SynthItem extends Omit<Item, 'key' | 'categoryName'> {
  /** Every landmark's position, unclipped. */
  points: number[];
  /** The outline pieces alone (what is painted and what occludes later landmarks). */
  pieces: number[][];
  colour: Rgb;
}

export interface SynthImage {
  id: number;
  width: number;
  height: number;
  source: Source;
  pairId: number;
  /** In drawing order; items[k] is written as `item${k + 1}`. */
  items: SynthItem[];
  /** Top-level keys of the annotation file in the order written (sometimes shuffled, as in the release). */
  keyOrder: string[];
  background: { from: Rgb; to: Rgb; diagonal: boolean };
}

/** Relative item counts per category (ids 1..13), after the release's Figure 3. */
export const CATEGORY_WEIGHTS = [71645, 36064, 543, 13457, 16095, 1985, 36616, 55387, 30835, 17211, 7907, 17949, 6492];

/** Image sizes [width, height] and their weights, per source. */
const SHOP_SIZES: ReadonlyArray<readonly [number, number, number]> = [
  [750, 1000, 5],
  [600, 800, 4],
  [800, 800, 3],
  [500, 500, 2],
  [468, 624, 3],
  [640, 853, 2],
  [1000, 1000, 1],
  [375, 500, 1],
];
const USER_SIZES: ReadonlyArray<readonly [number, number, number]> = [
  [468, 624, 4],
  [480, 640, 4],
  [640, 480, 2],
  [600, 800, 4],
  [750, 1000, 3],
  [540, 720, 3],
  [300, 400, 1],
  [800, 600, 1],
  [1000, 750, 1],
  [375, 500, 2],
  [720, 960, 2],
];

/** Weights of values 1, 2, 3 of each attribute, per source. */
const ZOOM = { user: [0.52, 0.35, 0.13], shop: [0.65, 0.27, 0.08] };
const OCCLUSION = { user: [0.55, 0.37, 0.08], shop: [0.8, 0.17, 0.03] };
const VIEWPOINT = { user: [0.03, 0.62, 0.35], shop: [0.3, 0.55, 0.15] };
/** Intended size class: tiny (< 32x32 px), small, moderate, large. */
const SIZE_CLASS = [0.05, 0.25, 0.5, 0.2];

/** Per occlusion level: fraction of landmarks behind an occluder, random unlabelled rate. */
const OCCLUDED_SHARE = [0.04, 0.25, 0.5];
const UNLABELLED_RATE = [0.015, 0.04, 0.08];
/** Share of items whose landmarks are all left unlabelled (the release has a few). */
const NO_LANDMARK_RATE = 0.012;
/** Share of files whose keys are written shuffled (the release's 000001.json lists item2 first). */
const SHUFFLED_KEYS_RATE = 0.15;

interface GarmentPlan {
  style: number;
  categoryId: number;
  widthFactor: number;
  lengthFactor: number;
  colour: Rgb;
}

interface ImagePlan {
  source: Source;
  garments: GarmentPlan[];
  /** Unrelated (style 0) garments in the image. */
  extras: number;
}

interface GroupPlan {
  pairId: number;
  images: ImagePlan[];
}

const MAX_ITEMS = 4;

function garmentLook(rng: Random, style: number): GarmentPlan {
  return {
    style,
    categoryId: 1 + rng.weighted(CATEGORY_WEIGHTS),
    widthFactor: rng.uniform(0.85, 1.15),
    lengthFactor: rng.uniform(0.9, 1.1),
    colour: garmentColour(rng),
  };
}

/**
 * Plans pair group `index` (pair_id index + 1) with at most `maxImages`
 * images; never leaves exactly one image for a group of its own, so every
 * group has both shop and user images.
 */
function planGroup(seed: number, index: number, maxImages: number): GroupPlan {
  const rng = Random.from(seed, STREAM.group, index);
  const styles = 1 + rng.weighted([0.5, 0.35, 0.15]);
  const garments = Array.from({ length: styles }, (_, s) => garmentLook(rng, s + 1));
  let shops = 1 + rng.weighted([0.7, 0.3]);
  let users = 1 + rng.weighted([0.35, 0.35, 0.2, 0.1]);
  // Fit the group to the images left: keep one of each source if possible,
  // and do not leave a single image behind.
  if (maxImages - (shops + users) === 1) users++;
  while (shops + users > maxImages && users > 1) users--;
  while (shops + users > maxImages && shops > 1) shops--;
  if (maxImages === 1) users = 0;

  const showIn = (count: number): boolean[][] => {
    // Each garment in one image for sure (so every style has both sources), in others by chance.
    const shown = Array.from({ length: count }, () => garments.map(() => false));
    garments.forEach((_, g) => {
      const home = rng.int(0, count - 1);
      for (let i = 0; i < count; i++) shown[i]![g] = i === home || rng.chance(0.4);
    });
    // No image of the group without one of its garments.
    for (const row of shown) if (!row.includes(true)) row[rng.int(0, garments.length - 1)] = true;
    return shown;
  };
  const images: ImagePlan[] = [];
  const add = (source: Source, shown: boolean[][], extraWeights: number[]): void => {
    for (const row of shown) {
      const picked = garments.filter((_, g) => row[g]);
      // At most 3 garments per group, so there is always room for one extra.
      const extras = Math.min(rng.weighted(extraWeights), MAX_ITEMS - picked.length);
      images.push({ source, garments: picked, extras });
    }
  };
  if (users > 0) add('user', showIn(users), [0.6, 0.32, 0.08]);
  add('shop', showIn(shops), [0.85, 0.15]);
  return { pairId: index + 1, images };
}

/** The images of a split of `count` images, in id order (ids 1..count). */
export function* synthesizeSplit(seed: number, count: number): Generator<SynthImage> {
  let id = 1;
  for (let group = 0; id <= count; group++) {
    const plan = planGroup(seed, group, count - id + 1);
    for (const image of plan.images) {
      yield synthesizeImage(seed, id, plan.pairId, image);
      id++;
    }
  }
}

/** One image of a group: its size, background and items. */
function synthesizeImage(seed: number, id: number, pairId: number, plan: ImagePlan): SynthImage {
  const rng = Random.from(seed, STREAM.image, id);
  const sizes = plan.source === 'shop' ? SHOP_SIZES : USER_SIZES;
  const [width, height] = sizes[rng.weighted(sizes.map((s) => s[2]))]!;
  const looks: GarmentPlan[] = [...plan.garments];
  for (let e = 0; e < plan.extras; e++) looks.push(garmentLook(rng, 0));
  rng.shuffle(looks);

  const items = looks.map((look) => synthesizeItem(rng, look, plan.source, width, height));
  // Big garments first, as in photos where smaller things lie in front of larger ones.
  const area = (item: SynthItem): number => (item.boundingBox[2] - item.boundingBox[0]) * (item.boundingBox[3] - item.boundingBox[1]);
  items.sort((a, b) => area(b) - area(a));
  markOccludedLandmarks(items);

  const keyOrder = ['source', 'pair_id', ...items.map((_, k) => `item${k + 1}`)];
  if (items.length > 1 && rng.chance(SHUFFLED_KEYS_RATE)) rng.shuffle(keyOrder);
  const light = plan.source === 'shop' ? [0.88, 0.97] : [0.6, 0.9];
  const background = {
    from: backgroundColour(rng, light[0]!, light[1]!),
    to: backgroundColour(rng, light[0]!, light[1]!),
    diagonal: rng.chance(0.5),
  };
  return { id, width, height, source: plan.source, pairId, items, keyOrder, background };
}

function synthesizeItem(rng: Random, look: GarmentPlan, source: Source, width: number, height: number): SynthItem {
  const template = templateFor(look.categoryId);
  const zoomIn = 1 + rng.weighted(ZOOM[source]);
  const viewpoint = 1 + rng.weighted(VIEWPOINT[source]);
  const level = 1 + rng.weighted(OCCLUSION[source]);
  const [bx0, by0, bx1, by1] = template.bounds;

  for (let attempt = 0; ; attempt++) {
    // Side and back views look narrower; flat shop shots sit straight.
    const squeeze = viewpoint === 3 ? rng.uniform(0.55, 0.9) : rng.uniform(0.93, 1.05);
    const frameW = (bx1 - bx0) * look.widthFactor * squeeze;
    const frameH = (by1 - by0) * look.lengthFactor;
    const zoomed = zoomIn > 1 && attempt < 5;
    // Tiny items are never cut by the border.
    const sizeClass = zoomed ? 1 + rng.weighted(SIZE_CLASS.slice(1)) : rng.weighted(SIZE_CLASS);
    const area =
      sizeClass === 0 ? rng.uniform(12, 31) ** 2 : width * height * [0, rng.uniform(0.02, 0.1), rng.uniform(0.1, 0.4), rng.uniform(0.4, 0.8)][sizeClass]!;
    let s = Math.sqrt(area / (frameW * frameH));
    if (!zoomed) s = Math.min(s, (0.95 * width) / frameW, (0.95 * height) / frameH);
    const boxW = frameW * s;
    const boxH = frameH * s;
    let cx = rng.uniform(0.5 * boxW, width - 0.5 * boxW);
    let cy = rng.uniform(0.5 * boxH, height - 0.5 * boxH);
    if (zoomed) {
      // Zoomed in: part of the garment (more for "large") lies beyond one border of the image.
      const out = zoomIn === 2 ? rng.uniform(0.08, 0.22) : rng.uniform(0.22, 0.4);
      const side = rng.int(0, 3);
      const along = (extent: number, box: number): number => (box < extent ? rng.uniform(0.5 * box, extent - 0.5 * box) : extent / 2);
      if (side < 2) {
        cx = side === 0 ? (0.5 - out) * boxW : width - (0.5 - out) * boxW;
        cy = along(height, boxH);
      } else {
        cy = side === 2 ? (0.5 - out) * boxH : height - (0.5 - out) * boxH;
        cx = along(width, boxW);
      }
    }
    const turn = rotationFromHalfTangent(rng.normal([0.03, 0.05, 0.07][viewpoint - 1]!));
    const placement: Placement = {
      cx,
      cy,
      frameX: (bx0 + bx1) / 2,
      frameY: (by0 + by1) / 2,
      sx: s * look.widthFactor * squeeze,
      sy: s * look.lengthFactor,
      ...turn,
    };
    const drawn = drawGarment(template, placement, rng, width, height);
    if (!drawn) {
      if (attempt < 20) continue;
      throw new Error(`could not place a garment of category ${look.categoryId} in a ${width}x${height} image`);
    }
    const landmarks = landmarkVisibility(rng, drawn.points, level, width, height);
    const segmentation = rng.chance(0.3) ? drawn.pieces : drawn.pieces.concat(drawn.parts);
    // The box is the bounds of the polygons written, as in the release.
    const boundingBox = polygonBounds(segmentation);
    const [x1, y1, x2, y2] = boundingBox;
    const share = ((x2 - x1) * (y2 - y1)) / (width * height);
    return {
      categoryId: look.categoryId,
      style: look.style,
      boundingBox,
      landmarks,
      segmentation,
      scale: share < 0.1 ? 1 : share < 0.4 ? 2 : 3,
      occlusion: level,
      zoomIn: zoomIn > 1 && attempt >= 5 ? 1 : zoomIn,
      viewpoint,
      points: drawn.points,
      pieces: drawn.pieces,
      colour: look.colour,
    };
  }
}

/**
 * Visibility of each landmark: landmarks outside the image are unlabelled;
 * with occlusion an occluder (everything beyond a random line) hides a share
 * of them (v = 1); a few are left unlabelled at random.
 */
function landmarkVisibility(rng: Random, points: number[], level: number, width: number, height: number): number[] {
  const count = points.length / 2;
  const noneLabelled = rng.chance(NO_LANDMARK_RATE);
  // The occluder: landmarks whose projection on a random direction is beyond a quantile.
  const ux = rng.uniform(-1, 1);
  const uy = rng.uniform(-1, 1);
  const projections = Array.from({ length: count }, (_, k) => points[2 * k]! * ux + points[2 * k + 1]! * uy);
  const sorted = [...projections].sort((a, b) => a - b);
  const share = OCCLUDED_SHARE[level - 1]! * rng.uniform(0.5, 1.5);
  const cut = sorted[Math.min(count - 1, Math.floor((1 - share) * count))]!;
  const landmarks: number[] = [];
  for (let k = 0; k < count; k++) {
    const x = points[2 * k]!;
    const y = points[2 * k + 1]!;
    const outside = x < 0 || y < 0 || x > width - 1 || y > height - 1;
    if (noneLabelled || outside || rng.chance(UNLABELLED_RATE[level - 1]!)) {
      landmarks.push(0, 0, 0);
      continue;
    }
    const hidden = (share > 0.05 && projections[k]! >= cut && rng.chance(0.85)) || rng.chance(0.04);
    landmarks.push(x, y, hidden ? 1 : 2);
  }
  return landmarks;
}

/**
 * Landmarks covered by a garment drawn later are occluded (v = 1), and the
 * item's occlusion attribute is raised to match what is hidden.
 */
function markOccludedLandmarks(items: SynthItem[]): void {
  items.forEach((item, index) => {
    const above = items.slice(index + 1).flatMap((other) => other.pieces);
    let labelled = 0;
    let hidden = 0;
    for (let i = 0; i < item.landmarks.length; i += 3) {
      if (item.landmarks[i + 2] === 0) continue;
      labelled++;
      const x = item.landmarks[i]!;
      const y = item.landmarks[i + 1]!;
      if (item.landmarks[i + 2] === 2 && above.some((polygon) => insidePolygon(polygon, x, y))) item.landmarks[i + 2] = 1;
      if (item.landmarks[i + 2] === 1) hidden++;
    }
    if (labelled > 0) {
      const implied = hidden / labelled > 0.6 ? 3 : hidden / labelled > 0.3 ? 2 : 1;
      item.occlusion = Math.max(item.occlusion, implied);
    }
  });
}

/** A garment colour: any hue, mid lightness, clearly saturated. */
function garmentColour(rng: Random): Rgb {
  return hsl(rng.uniform(0, 360), rng.uniform(0.35, 0.85), rng.uniform(0.25, 0.62));
}

function backgroundColour(rng: Random, minLight: number, maxLight: number): Rgb {
  return hsl(rng.uniform(0, 360), rng.uniform(0.03, 0.25), rng.uniform(minLight, maxLight));
}

/** HSL to 8-bit RGB (the CSS formula: arithmetic only). */
function hsl(hue: number, saturation: number, lightness: number): Rgb {
  const a = saturation * Math.min(lightness, 1 - lightness);
  const channel = (n: number): number => {
    const k = (n + hue / 30) % 12;
    const value = lightness - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(255 * value);
  };
  return [channel(0), channel(8), channel(4)];
}
