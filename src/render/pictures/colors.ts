/**
 * Colours of df2's pictures. Each category has one colour, used for its box,
 * mask, landmarks, skeleton and label everywhere (pictures, charts, report),
 * so a reader learns them once. Pure red and green are left out of the
 * category palette: they mean "matched" and "missed / false positive".
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

/** What the evaluation says of a drawn item (ground truth or detection). */
export type MatchState = 'matched' | 'missed' | 'false-positive' | 'ignored';

export const STATE_COLORS: Readonly<Record<MatchState, string>> = {
  matched: '#2ca02c',
  missed: '#d62728',
  'false-positive': '#d62728',
  ignored: '#7f7f7f',
};

/** Retrieval strips frame hits and misses in these. */
export const HIT_COLOR = STATE_COLORS.matched;
export const MISS_COLOR = STATE_COLORS.missed;

export type Rgb = readonly [number, number, number];

/** '#rrggbb' -> [r, g, b]. */
export function hexToRgb(hex: string): Rgb {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** Black or white, whichever reads better on the given background. */
export function textColorOn(hex: string): string {
  const [r, g, b] = hexToRgb(hex);
  // Relative luminance with the sRGB weights, no gamma: good enough to pick black or white.
  return 0.299 * r + 0.587 * g + 0.114 * b > 150 ? '#000000' : '#ffffff';
}
