/**
 * One garment drawn into one image: its template placed (scaled, squeezed,
 * rotated, moved), landmark positions jittered, and its mask polygons built
 * from those landmark positions, with a few extra vertices on long edges, then
 * clipped to the image.
 */
import { clipToRect, doubleArea, place, polygonBounds, roundPolygon, type Placement } from './geometry.js';
import type { Random } from '../util/random.js';
import type { GarmentTemplate } from './templates.js';

interface DrawnGarment {
  /** Integer landmark positions [x1, y1, x2, y2, ...], all landmarks, not clipped to the image. */
  points: number[];
  /** Outline polygons, clipped and closed (last vertex = first), as written in `segmentation`. */
  pieces: number[][];
  /** Extra overlapping polygons (sleeves, legs...), clipped and closed. */
  parts: number[][];
}

/** Landmark jitter as a fraction of the garment's height in pixels. */
const LANDMARK_JITTER = 0.012;
/** Outline edges longer than this fraction of the garment height get an extra vertex. */
const LONG_EDGE = 0.2;

/**
 * Draws a garment; undefined when too little of it is inside the image to
 * make a mask (the caller then places it again).
 */
export function drawGarment(template: GarmentTemplate, placement: Placement, rng: Random, width: number, height: number): DrawnGarment | undefined {
  const heightPx = (template.bounds[3] - template.bounds[1]) * placement.sy;
  const jitter = Math.max(0.3, LANDMARK_JITTER * heightPx);
  const points: number[] = [];
  for (const [x, y] of template.landmarks) {
    const [px, py] = place(placement, x, y);
    points.push(Math.round(px + rng.normal(jitter)), Math.round(py + rng.normal(jitter)));
  }
  const outline = (ids: readonly number[], extraVertices: boolean): number[] => {
    const polygon: number[] = [];
    for (let i = 0; i < ids.length; i++) {
      const a = ids[i]! - 1;
      const b = ids[(i + 1) % ids.length]! - 1;
      const ax = points[2 * a]!;
      const ay = points[2 * a + 1]!;
      polygon.push(ax, ay);
      if (!extraVertices) continue;
      const dx = points[2 * b]! - ax;
      const dy = points[2 * b + 1]! - ay;
      const length = Math.sqrt(dx * dx + dy * dy);
      if (length > LONG_EDGE * heightPx && rng.chance(0.7)) {
        // A vertex between two landmarks, pushed a little off the straight line,
        // as annotators click along a curved seam.
        const t = rng.uniform(0.35, 0.65);
        const off = rng.normal(0.04);
        polygon.push(Math.round(ax + t * dx - off * dy), Math.round(ay + t * dy + off * dx));
      }
    }
    return polygon;
  };
  const maxX = width - 1;
  const maxY = height - 1;
  const finish = (polygon: number[]): number[] | undefined => {
    const clipped = roundPolygon(clipToRect(polygon, maxX, maxY));
    if (clipped.length < 6 || Math.abs(doubleArea(clipped)) < 2) return undefined;
    clipped.push(clipped[0]!, clipped[1]!);
    return clipped;
  };
  const pieces = template.pieces.map((ids) => finish(outline(ids, true))).filter((p): p is number[] => p !== undefined);
  if (pieces.length === 0) return undefined;
  const parts = template.parts.map((ids) => finish(outline(ids, false))).filter((p): p is number[] => p !== undefined);
  // A sliver of a garment at the border is placed again (the item's box is
  // computed by the caller from the polygons it writes).
  const [x1, y1, x2, y2] = polygonBounds(pieces);
  if (x2 - x1 < 2 || y2 - y1 < 2) return undefined;
  return { points, pieces, parts };
}
