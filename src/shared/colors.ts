/**
 * The colours of df2's drawings, one set for the pictures (`df2 render`), the
 * HTML report and the browser app, so a reader learns them once.
 *
 * Each category has one colour (box, mask, landmarks, label). The verdicts of
 * the official matching have colours no category comes near (CIE76 distance
 * of 20 or more, checked in colors.test.ts) and that stay apart for
 * protanopes and deuteranopes: bluish green and sky blue from the Okabe-Ito
 * palette, a red from Paul Tol's "vibrant" one (Okabe-Ito's vermillion is too
 * close to the categories' oranges).
 */

/** Category colours, index = category id - 1 (13 categories). */
export const CATEGORY_COLORS: readonly string[] = [
  '#1f77b4', // 1 short sleeve top: blue
  '#ff7f0e', // 2 long sleeve top: orange
  '#9467bd', // 3 short sleeve outwear: purple
  '#8c564b', // 4 long sleeve outwear: brown
  '#e377c2', // 5 vest: pink
  '#17becf', // 6 sling: cyan
  '#bcbd22', // 7 shorts: olive
  '#393b79', // 8 trousers: navy
  '#e7ba52', // 9 skirt: gold
  '#ce6dbd', // 10 short sleeve dress: orchid
  '#6b6ecf', // 11 long sleeve dress: periwinkle
  '#8c6d31', // 12 vest dress: ochre
  '#fd8d3c', // 13 sling dress: light orange
];

/** Colour for a category id; grey for an id outside 1..13. */
export function categoryColor(categoryId: number): string {
  return CATEGORY_COLORS[categoryId - 1] ?? '#7f7f7f';
}

/** Black or white, whichever reads better on the given background ('#rrggbb'). */
export function textColorOn(hex: string): string {
  const n = Number.parseInt(hex.slice(1), 16);
  // Relative luminance with the sRGB weights, no gamma: good enough to pick black or white.
  return 0.299 * ((n >> 16) & 255) + 0.587 * ((n >> 8) & 255) + 0.114 * (n & 255) > 150 ? '#000000' : '#ffffff';
}

/** What the official matching says of a detection or a ground-truth item. */
type Verdict = 'matched' | 'false-positive' | 'missed' | 'ignored' | 'not-evaluated';

export const VERDICT_COLORS: Readonly<Record<Verdict, string>> = {
  /** A true positive (retrieval: a hit). Okabe-Ito bluish green. */
  matched: '#009e73',
  /** A detection matched to nothing (retrieval: not a hit). Tol's vibrant red. */
  'false-positive': '#cc3311',
  /** Ground truth no detection matched. Okabe-Ito sky blue. */
  missed: '#56b4e9',
  ignored: '#7f7f7f',
  'not-evaluated': '#a3a3a3',
};

/** The kind of a labelled landmark of a detection in the landmark error analysis (coco-analyze's, eval/errors). */
export type LandmarkKindName = 'good' | 'jitter' | 'inversion' | 'swap' | 'miss';

/**
 * Landmark kinds, all from the Okabe-Ito palette and apart for protanopes and
 * deuteranopes (CIE76 distance of 30 or more, colors.test.ts); the explorer also gives each kind its own
 * mark, so shape alone tells them apart.
 */
export const LANDMARK_KIND_COLORS: Readonly<Record<LandmarkKindName, string>> = {
  /** Bluish green, as a matched detection. */
  good: '#009e73',
  /** Yellow. */
  jitter: '#f0e442',
  /** Vermillion. */
  inversion: '#d55e00',
  /** Blue. */
  swap: '#0072b2',
  /** Black (drawn with a white edge). */
  miss: '#000000',
};
