/**
 * Garment outlines for synthetic items, one per category.
 *
 * The release's landmark layout (schema/landmarks.json) has counts, flip pairs
 * and skeletons but no geometry, so each category gets a hand-made template
 * here: a position for every landmark in a garment frame (x to the right,
 * y down, the garment about one unit tall), laid out in the order of its
 * skeleton: neckline 1-6, then around the outline from the left shoulder via
 * sleeve, side and hem to the right shoulder. Only the left half and the
 * centre line are written down; the right half is the mirror image through the
 * category's flip pairs, which keeps templates and flip pairs consistent.
 *
 * `pieces` are the closed outlines that make up the garment's mask (one for
 * most garments, two halves for open outerwear); `parts` are the extra
 * overlapping polygons the release also draws (sleeves, legs, skirt of a
 * dress). Both are lists of landmark numbers, so mask vertices reuse landmark
 * positions as in the release.
 */
import { categoryById, type Category } from '../schema/index.js';

type Point = readonly [number, number];

export interface GarmentTemplate {
  readonly categoryId: number;
  /** Position of landmark k at index k - 1. */
  readonly landmarks: readonly Point[];
  /** Closed outlines (landmark numbers, 1-based) whose union is the garment. */
  readonly pieces: ReadonlyArray<readonly number[]>;
  /** Extra polygons inside the garment (landmark numbers). */
  readonly parts: ReadonlyArray<readonly number[]>;
  /** Bounds of the landmarks: [minX, minY, maxX, maxY]. */
  readonly bounds: readonly [number, number, number, number];
}

interface TemplateSpec {
  /** Landmarks of the left half and the centre line; the rest are mirrored. */
  left: Record<number, Point>;
  /** Outlines; `mirror` adds the mirror image of the outline too. */
  pieces: Array<{ ids: number[]; mirror?: boolean }>;
  /** Extra polygons; `mirror` adds the mirror image too. */
  parts: Array<{ ids: number[]; mirror?: boolean }>;
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** Neckline of tops: 1 back centre, 2 left neck point, 3 front left, 4 front centre. */
const TOP_NECK: Record<number, Point> = { 1: [0, 0.025], 2: [-0.13, 0], 3: [-0.07, 0.07], 4: [0, 0.11] };
const DRESS_NECK: Record<number, Point> = { 1: [0, 0.02], 2: [-0.1, 0], 3: [-0.055, 0.05], 4: [0, 0.085] };
const VEST_NECK: Record<number, Point> = { 1: [0, 0.025], 2: [-0.15, 0], 3: [-0.09, 0.1], 4: [0, 0.16] };
const VEST_DRESS_NECK: Record<number, Point> = { 1: [0, 0.02], 2: [-0.11, 0], 3: [-0.07, 0.08], 4: [0, 0.13] };

/** Closed tops: 2, the outline 7..last, 6, then the front neckline back to 2. */
const topOutline = (last: number): number[] => [2, ...range(7, last), 6, 5, 4, 3];

const SHORT_SLEEVE: Record<number, Point> = {
  7: [-0.27, 0.05],
  8: [-0.37, 0.14],
  9: [-0.46, 0.25],
  10: [-0.36, 0.33],
  11: [-0.26, 0.28],
};
const LONG_SLEEVE: Record<number, Point> = {
  7: [-0.27, 0.05],
  8: [-0.35, 0.22],
  9: [-0.41, 0.42],
  10: [-0.46, 0.62],
  11: [-0.5, 0.82],
  12: [-0.41, 0.85],
  13: [-0.38, 0.66],
  14: [-0.35, 0.48],
  15: [-0.31, 0.34],
  16: [-0.26, 0.28],
};

const SPECS: Record<number, TemplateSpec> = {
  // short sleeve top: 7 shoulder, 8-10 sleeve, 11 armpit, 12-14 side, 15 hem corner, 16 hem centre
  1: {
    left: { ...TOP_NECK, ...SHORT_SLEEVE, 12: [-0.26, 0.46], 13: [-0.26, 0.64], 14: [-0.27, 0.82], 15: [-0.28, 0.98], 16: [0, 1] },
    pieces: [{ ids: topOutline(25) }],
    parts: [{ ids: range(7, 11), mirror: true }],
  },
  // long sleeve top: 7 shoulder, 8-15 sleeve, 16 armpit, 17-18 side, 19 hem corner, 20 hem centre
  2: {
    left: { ...TOP_NECK, ...LONG_SLEEVE, 17: [-0.26, 0.52], 18: [-0.27, 0.76], 19: [-0.28, 0.98], 20: [0, 1] },
    pieces: [{ ids: topOutline(33) }],
    parts: [{ ids: range(7, 16), mirror: true }],
  },
  // short sleeve outwear: open front; 4 neck point, 3 collar, 2 lapel, 30/31 front edge, 16 front hem
  3: {
    left: {
      1: [0, 0.025],
      4: [-0.13, 0],
      3: [-0.08, 0.06],
      2: [-0.03, 0.2],
      30: [-0.03, 0.45],
      31: [-0.03, 0.72],
      ...SHORT_SLEEVE,
      12: [-0.26, 0.46],
      13: [-0.26, 0.64],
      14: [-0.27, 0.82],
      15: [-0.28, 0.98],
      16: [-0.03, 0.99],
    },
    pieces: [{ ids: [4, ...range(7, 16), 31, 30, 2, 3], mirror: true }],
    parts: [{ ids: range(7, 11), mirror: true }],
  },
  // long sleeve outwear: open front; 2 neck point, 3 collar, 4 lapel, 38/39 front edge, 20 front hem
  4: {
    left: {
      1: [0, 0.025],
      2: [-0.13, 0],
      3: [-0.08, 0.06],
      4: [-0.03, 0.2],
      38: [-0.03, 0.45],
      39: [-0.03, 0.72],
      ...LONG_SLEEVE,
      17: [-0.26, 0.52],
      18: [-0.27, 0.76],
      19: [-0.28, 0.98],
      20: [-0.03, 0.99],
    },
    pieces: [{ ids: [2, ...range(7, 20), 39, 38, 4, 3], mirror: true }],
    parts: [{ ids: range(7, 16), mirror: true }],
  },
  // vest: 7 strap, 8 armpit, 9 side, 10 hem corner, 11 hem centre
  5: {
    left: { ...VEST_NECK, 7: [-0.22, 0.02], 8: [-0.3, 0.3], 9: [-0.29, 0.62], 10: [-0.3, 0.98], 11: [0, 1] },
    pieces: [{ ids: topOutline(15) }],
    parts: [],
  },
  // sling: 2/7 strap, 3-4 neckline, 8 armpit, 9 side, 10 hem corner, 11 hem centre
  6: {
    left: {
      1: [0, 0.12],
      2: [-0.16, 0],
      7: [-0.2, 0.01],
      3: [-0.12, 0.22],
      4: [0, 0.3],
      8: [-0.28, 0.3],
      9: [-0.28, 0.62],
      10: [-0.3, 0.98],
      11: [0, 1],
    },
    pieces: [{ ids: topOutline(15) }],
    parts: [],
  },
  // shorts: 1-3 waist, 4 side, 5 hem outer, 6 hem inner, 7 crotch
  7: {
    left: { 1: [-0.5, 0], 2: [0, 0.01], 4: [-0.53, 0.35], 5: [-0.56, 0.7], 6: [-0.06, 0.72], 7: [0, 0.36] },
    pieces: [{ ids: [1, ...range(4, 10), 3, 2] }],
    parts: [{ ids: [1, 4, 5, 6, 7, 2], mirror: true }],
  },
  // trousers: 1-3 waist, 4-5 side, 6 hem outer, 7 hem inner, 8 inner knee, 9 crotch
  8: {
    left: {
      1: [-0.3, 0],
      2: [0, 0.01],
      4: [-0.32, 0.2],
      5: [-0.33, 0.55],
      6: [-0.32, 1],
      7: [-0.1, 1],
      8: [-0.07, 0.6],
      9: [0, 0.3],
    },
    pieces: [{ ids: [1, ...range(4, 14), 3, 2] }],
    parts: [{ ids: [1, 4, 5, 6, 7, 8, 9, 2], mirror: true }],
  },
  // skirt: 1-3 waist, 4 hip, 5 hem corner, 6 hem centre
  9: {
    left: { 1: [-0.3, 0], 2: [0, 0.01], 4: [-0.33, 0.18], 5: [-0.45, 0.68], 6: [0, 0.72] },
    pieces: [{ ids: [1, ...range(4, 8), 3, 2] }],
    parts: [{ ids: [1, 4, 5, 6, 2], mirror: true }],
  },
  // short sleeve dress: 7 shoulder, 8-10 sleeve, 11 armpit, 12 waist, 13-16 side, 17 hem corner, 18 hem centre
  10: {
    left: {
      ...DRESS_NECK,
      7: [-0.22, 0.04],
      8: [-0.3, 0.1],
      9: [-0.37, 0.18],
      10: [-0.29, 0.24],
      11: [-0.21, 0.2],
      12: [-0.19, 0.34],
      13: [-0.22, 0.48],
      14: [-0.26, 0.62],
      15: [-0.3, 0.76],
      16: [-0.34, 0.88],
      17: [-0.37, 1],
      18: [0, 1.02],
    },
    pieces: [{ ids: topOutline(29) }],
    parts: [{ ids: range(7, 11), mirror: true }, { ids: range(12, 24) }],
  },
  // long sleeve dress: 7 shoulder, 8-15 sleeve, 16 armpit, 17 waist, 18-20 side, 21 hem corner, 22 hem centre
  11: {
    left: {
      ...DRESS_NECK,
      7: [-0.2, 0.04],
      8: [-0.25, 0.14],
      9: [-0.29, 0.25],
      10: [-0.32, 0.36],
      11: [-0.35, 0.47],
      12: [-0.29, 0.49],
      13: [-0.27, 0.4],
      14: [-0.25, 0.31],
      15: [-0.23, 0.23],
      16: [-0.19, 0.18],
      17: [-0.18, 0.34],
      18: [-0.22, 0.5],
      19: [-0.27, 0.66],
      20: [-0.32, 0.83],
      21: [-0.36, 1],
      22: [0, 1.02],
    },
    pieces: [{ ids: topOutline(37) }],
    parts: [{ ids: range(7, 16), mirror: true }, { ids: range(17, 27) }],
  },
  // vest dress: 7 strap, 8 armpit, 9 waist, 10-11 side, 12 hem corner, 13 hem centre
  12: {
    left: {
      ...VEST_DRESS_NECK,
      7: [-0.17, 0.02],
      8: [-0.21, 0.2],
      9: [-0.19, 0.36],
      10: [-0.24, 0.56],
      11: [-0.3, 0.78],
      12: [-0.35, 1],
      13: [0, 1.02],
    },
    pieces: [{ ids: topOutline(19) }],
    parts: [{ ids: range(9, 17) }],
  },
  // sling dress: 2/7 strap, 3-4 neckline, 8 armpit, 9 waist, 10-11 side, 12 hem corner, 13 hem centre
  13: {
    left: {
      1: [0, 0.1],
      2: [-0.12, 0],
      7: [-0.15, 0.01],
      3: [-0.1, 0.2],
      4: [0, 0.25],
      8: [-0.2, 0.23],
      9: [-0.18, 0.38],
      10: [-0.23, 0.58],
      11: [-0.29, 0.79],
      12: [-0.34, 1],
      13: [0, 1.02],
    },
    pieces: [{ ids: topOutline(19) }],
    parts: [{ ids: range(9, 17) }],
  },
};

function partnerMap(category: Category): Map<number, number> {
  const partner = new Map<number, number>();
  for (const [a, b] of category.flipPairs) {
    partner.set(a, b);
    partner.set(b, a);
  }
  return partner;
}

function buildTemplate(category: Category): GarmentTemplate {
  const spec = SPECS[category.id];
  if (!spec) throw new Error(`no garment template for category ${category.id}`);
  const partner = partnerMap(category);
  const landmarks: Point[] = [];
  for (let k = 1; k <= category.landmarks; k++) {
    const own = spec.left[k];
    const mate = partner.get(k);
    const mirrored = mate === undefined ? undefined : spec.left[mate];
    if (own) landmarks.push(own);
    else if (mirrored) landmarks.push([-mirrored[0], mirrored[1]]);
    else throw new Error(`template of category ${category.id} has no position for landmark ${k}`);
  }
  const mirror = (ids: readonly number[]): number[] => ids.map((k) => partner.get(k) ?? k).reverse();
  const expand = (list: TemplateSpec['pieces']): number[][] => list.flatMap(({ ids, mirror: both }) => (both ? [ids, mirror(ids)] : [ids]));
  const xs = landmarks.map((p) => p[0]);
  const ys = landmarks.map((p) => p[1]);
  return {
    categoryId: category.id,
    landmarks,
    pieces: expand(spec.pieces),
    parts: expand(spec.parts),
    bounds: [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)],
  };
}

const TEMPLATES = new Map<number, GarmentTemplate>();

/** The garment template of a category id 1..13. */
export function templateFor(categoryId: number): GarmentTemplate {
  let template = TEMPLATES.get(categoryId);
  if (!template) {
    const category = categoryById(categoryId);
    if (!category) throw new Error(`no category ${categoryId}`);
    template = buildTemplate(category);
    TEMPLATES.set(categoryId, template);
  }
  return template;
}
