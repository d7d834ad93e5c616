/**
 * The mark of each landmark kind (good, jitter, inversion, swap, miss) as
 * plain geometry, so the explorer's SVG and the report's canvas pictures
 * draw the same shapes: a kind is told apart by its shape as well as by its
 * colour (LANDMARK_KIND_COLORS), for readers who cannot tell the colours
 * apart.
 */
import type { LandmarkKindName } from './colors.js';

/** A mark centred on (0, 0) with half size 1: a circle, a square, or a polygon's corners. */
export type LandmarkMarkShape = { shape: 'circle' } | { shape: 'square' } | { shape: 'polygon'; points: readonly (readonly [number, number])[] };

/** good a circle, jitter a square, inversion a diamond, swap a triangle, miss a cross. */
export const LANDMARK_MARKS: Readonly<Record<LandmarkKindName, LandmarkMarkShape>> = {
  good: { shape: 'circle' },
  jitter: { shape: 'square' },
  inversion: {
    shape: 'polygon',
    points: [
      [0, -1.3],
      [1.3, 0],
      [0, 1.3],
      [-1.3, 0],
    ],
  },
  swap: {
    shape: 'polygon',
    points: [
      [0, -1.3],
      [1.2, 1],
      [-1.2, 1],
    ],
  },
  miss: {
    shape: 'polygon',
    points: [
      [-1.2, -0.6],
      [-0.6, -1.2],
      [0, -0.6],
      [0.6, -1.2],
      [1.2, -0.6],
      [0.6, 0],
      [1.2, 0.6],
      [0.6, 1.2],
      [0, 0.6],
      [-0.6, 1.2],
      [-1.2, 0.6],
      [-0.6, 0],
    ],
  },
};
