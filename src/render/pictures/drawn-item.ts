/**
 * What a picture shows of one ground-truth item or one detection: plain data
 * built from annotations or result records (gt-items.ts, prediction-items.ts)
 * and consumed by the drawing code (draw-item.ts). Nothing here knows files.
 */
import type { MatchState } from './colors.js';

/** [x, y, width, height] in image pixels, as COCO writes boxes. */
export type Xywh = readonly [number, number, number, number];

/** A binary mask at image size, row-major, 1 = inside. */
export interface BitMask {
  width: number;
  height: number;
  data: Uint8Array;
}

export interface DrawnItem {
  categoryId: number;
  box?: Xywh;
  /** Polygons [x1, y1, x2, y2, ...]: filled together, each part outlined. */
  polygons?: readonly (readonly number[])[];
  /** A decoded mask (segmentation results carry RLE, not polygons). */
  mask?: BitMask;
  /** x, y, v for each landmark of the category, landmark k (1-based) at index 3(k-1). */
  landmarks?: ArrayLike<number>;
  /**
   * 'annotated': v = 2 filled dot, v = 1 hollow circle, v = 0 not drawn.
   * 'predicted': every landmark a filled dot (results carry no visibility).
   */
  landmarkKind?: 'annotated' | 'predicted';
  /** One line of text drawn at the item's top-left corner. */
  label?: string;
  /** What the evaluation says of it; shown as a coloured tag before the label. */
  state?: MatchState;
  /** Dashed outlines: predictions laid over ground truth (--overlay). */
  dashed?: boolean;
}

/** The parts of an item a picture can show (`df2 render --what`). */
export const PARTS = ['box', 'mask', 'landmarks', 'skeleton', 'labels'] as const;
export type Part = (typeof PARTS)[number];

/** xyxy corners (as annotation files write them) to xywh. */
export function cornersToXywh(c: readonly number[]): Xywh {
  return [c[0]!, c[1]!, c[2]! - c[0]!, c[3]! - c[1]!];
}
