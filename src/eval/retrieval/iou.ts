/**
 * Box overlap exactly as the release computes it for retrieval: corners are
 * first turned into [x, y, w, h] with w = x2 - x1 (no +1), then maskApi's
 * bbIou takes the right edge as w + x, the overlap as min(right) - max(left)
 * (none when <= 0) and the union as area_d + area_g - overlap. Recomputing
 * x2 as (x2 - x1) + x1 can differ from x2 in the last bit; keeping the same
 * arithmetic keeps every IoU >= 0.5 decision identical to the release's.
 *
 * The pair arithmetic is the mask module's xywhIou (maskApi's bbIou).
 *
 * Boxes live in flat Float64Arrays of corners (4 numbers each) so that tens of
 * thousands of results stay compact.
 */
import { xywhIou } from '../../mask/index.js';

/** IoU of box `a` (at a[ai..ai+3]) and box `b` (at b[bi..bi+3]), both [x1, y1, x2, y2]. */
export function releaseBoxIou(a: ArrayLike<number>, ai: number, b: ArrayLike<number>, bi: number): number {
  const ax = a[ai]!,
    ay = a[ai + 1]!;
  const bx = b[bi]!,
    by = b[bi + 1]!;
  return xywhIou(ax, ay, a[ai + 2]! - ax, a[ai + 3]! - ay, bx, by, b[bi + 2]! - bx, b[bi + 3]! - by, false);
}

/** A retrieved item counts as found when its IoU with a matching gallery item reaches this. */
export const HIT_IOU = 0.5;
