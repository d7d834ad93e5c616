/**
 * One detection's landmarks drawn on its image with their kinds in the
 * landmark error analysis: each ground-truth landmark a small white ring,
 * a line to where the detection put it, and there the kind's mark (the
 * shapes and colours the explorer's keypoints layer uses: one palette,
 * src/shared). The picture is cropped to the garment and everything drawn.
 */
import { createCanvas, type Canvas, type Image } from '@napi-rs/canvas';
import { LANDMARK_KIND_COLORS, LANDMARK_MARKS, type LandmarkKindName } from './colors.js';

export interface LandmarkErrorDrawing {
  /** The matched ground truth's box [x, y, w, h]. */
  gtBox: readonly [number, number, number, number];
  landmarks: readonly { kind: LandmarkKindName; gt: readonly [number, number]; predicted: readonly [number, number] }[];
}

/** The longer side of the drawn picture, in pixels. */
export const LANDMARK_PICTURE_SIZE = 320;
const MARK_RADIUS = 5;
const RING_RADIUS = 3;

/** The crop: the box and every landmark drawn, with a margin, inside the image. */
function cropOf(image: { width: number; height: number }, d: LandmarkErrorDrawing): { x: number; y: number; w: number; h: number } {
  const [bx, by, bw, bh] = d.gtBox;
  let [x1, y1, x2, y2] = [bx, by, bx + bw, by + bh];
  for (const l of d.landmarks) {
    for (const [x, y] of [l.gt, l.predicted]) {
      x1 = Math.min(x1, x);
      y1 = Math.min(y1, y);
      x2 = Math.max(x2, x);
      y2 = Math.max(y2, y);
    }
  }
  const margin = Math.max(8, 0.08 * Math.max(x2 - x1, y2 - y1));
  const left = Math.max(0, Math.floor(x1 - margin));
  const top = Math.max(0, Math.floor(y1 - margin));
  const right = Math.min(image.width, Math.ceil(x2 + margin));
  const bottom = Math.min(image.height, Math.ceil(y2 + margin));
  return { x: left, y: top, w: Math.max(1, right - left), h: Math.max(1, bottom - top) };
}

/**
 * Draws the detection's landmarks on the crop of its image around them.
 *
 * @example
 * ```ts
 * const canvas = drawLandmarkErrors(await decodeImage(record), { gtBox: [10, 20, 200, 300], landmarks: [{ kind: 'miss', gt: [50, 60], predicted: [120, 80] }] });
 * ```
 */
export function drawLandmarkErrors(image: Image | Canvas, d: LandmarkErrorDrawing, size = LANDMARK_PICTURE_SIZE): Canvas {
  const crop = cropOf(image, d);
  const scale = size / Math.max(crop.w, crop.h);
  const canvas = createCanvas(Math.max(1, Math.round(crop.w * scale)), Math.max(1, Math.round(crop.h * scale)));
  const ctx = canvas.getContext('2d');
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(image, crop.x, crop.y, crop.w, crop.h, 0, 0, canvas.width, canvas.height);
  // Darkened a little so the marks (white edges, a yellow among them) stand out on any photo.
  ctx.fillStyle = 'rgba(0,0,0,0.3)';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const at = ([x, y]: readonly [number, number]): [number, number] => [(x - crop.x) * scale, (y - crop.y) * scale];

  for (const l of d.landmarks) {
    const [gx, gy] = at(l.gt);
    const [px, py] = at(l.predicted);
    ctx.beginPath();
    ctx.moveTo(gx, gy);
    ctx.lineTo(px, py);
    ctx.strokeStyle = 'rgba(0,0,0,0.6)';
    ctx.lineWidth = 3;
    ctx.stroke();
    ctx.strokeStyle = LANDMARK_KIND_COLORS[l.kind];
    ctx.lineWidth = 1.5;
    ctx.stroke();
  }
  for (const l of d.landmarks) {
    const [gx, gy] = at(l.gt);
    ctx.beginPath();
    ctx.arc(gx, gy, RING_RADIUS, 0, 2 * Math.PI);
    ctx.strokeStyle = '#000000';
    ctx.lineWidth = 3;
    ctx.stroke();
    ctx.strokeStyle = '#ffffff';
    ctx.lineWidth = 1.5;
    ctx.stroke();
  }
  // Errors last, so a good landmark never hides one.
  const order: LandmarkKindName[] = ['good', 'jitter', 'inversion', 'swap', 'miss'];
  for (const kind of order) {
    for (const l of d.landmarks) {
      if (l.kind !== kind) continue;
      const [px, py] = at(l.predicted);
      traceMark(ctx, kind, px, py, MARK_RADIUS);
      ctx.fillStyle = LANDMARK_KIND_COLORS[kind];
      ctx.fill();
      ctx.strokeStyle = '#ffffff';
      ctx.lineWidth = 1;
      ctx.stroke();
    }
  }
  return canvas;
}

function traceMark(ctx: ReturnType<Canvas['getContext']>, kind: LandmarkKindName, x: number, y: number, r: number): void {
  const g = LANDMARK_MARKS[kind];
  ctx.beginPath();
  if (g.shape === 'circle') ctx.arc(x, y, r, 0, 2 * Math.PI);
  else if (g.shape === 'square') ctx.rect(x - r, y - r, 2 * r, 2 * r);
  else {
    g.points.forEach(([dx, dy], i) => (i === 0 ? ctx.moveTo(x + dx * r, y + dy * r) : ctx.lineTo(x + dx * r, y + dy * r)));
    ctx.closePath();
  }
}
