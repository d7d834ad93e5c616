/**
 * Colours of df2's pictures. Each category has one colour, used for its box,
 * mask, landmarks, skeleton and label everywhere (pictures, charts, report),
 * so a reader learns them once. The verdicts' colours are apart from every
 * category's (see src/shared/colors.ts).
 */

import { VERDICT_COLORS } from '../../shared/colors.js';

// One palette for pictures, report and browser app: src/shared/colors.ts.
export { CATEGORY_COLORS, categoryColor, textColorOn, LANDMARK_KIND_COLORS, type LandmarkKindName } from '../../shared/colors.js';
export { LANDMARK_MARKS, type LandmarkMarkShape } from '../../shared/landmark-marks.js';

/** What the evaluation says of a drawn item (ground truth or detection). */
export type MatchState = 'matched' | 'missed' | 'false-positive' | 'ignored';

export const STATE_COLORS: Readonly<Record<MatchState, string>> = {
  matched: VERDICT_COLORS.matched,
  missed: VERDICT_COLORS.missed,
  'false-positive': VERDICT_COLORS['false-positive'],
  ignored: VERDICT_COLORS.ignored,
};

/** Retrieval strips frame hits and misses in these. */
export const HIT_COLOR = VERDICT_COLORS.matched;
export const MISS_COLOR = VERDICT_COLORS['false-positive'];

type Rgb = readonly [number, number, number];

/** '#rrggbb' -> [r, g, b]. */
export function hexToRgb(hex: string): Rgb {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}
