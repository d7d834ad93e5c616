/**
 * A retrieval strip, like Figure 6 of the DeepFashion2 paper: the query
 * item's crop, then the crops of the shop items retrieved for it, best first,
 * each framed green when it is a hit and red when not.
 */
import { createCanvas, type Canvas, type Image } from '@napi-rs/canvas';
import { FONT_FAMILY } from './draw-item.js';
import { HIT_COLOR, MISS_COLOR } from './colors.js';

export interface StripCell {
  image: Image | Canvas | undefined;
  /** [x1, y1, x2, y2] of the crop in the image. */
  box: readonly [number, number, number, number];
  /** One short line under the crop. */
  caption: string;
  /** Frame colour: hit, miss, or none (the query). */
  outcome?: 'hit' | 'miss';
}

interface StripLayout {
  cellWidth: number;
  cellHeight: number;
  /** Space under each cell for its caption. */
  captionHeight: number;
  frame: number;
  /** Space between the query and the retrieved cells. */
  gap: number;
}

export const DEFAULT_STRIP_LAYOUT: StripLayout = { cellWidth: 120, cellHeight: 160, captionHeight: 18, frame: 4, gap: 16 };

/** Width of a strip of `retrieved` cells after the query. */
function stripWidth(retrieved: number, layout: StripLayout = DEFAULT_STRIP_LAYOUT): number {
  return (retrieved + 1) * layout.cellWidth + layout.gap + 2;
}

/** The x of cell i (0 = the query). */
export function cellX(i: number, layout: StripLayout = DEFAULT_STRIP_LAYOUT): number {
  return i === 0 ? 1 : 1 + i * layout.cellWidth + layout.gap;
}

/** Draws one strip: cells[0] is the query, the rest are retrieved items in rank order. */
export function drawStrip(cells: readonly StripCell[], title: string, layout: StripLayout = DEFAULT_STRIP_LAYOUT): Canvas {
  const titleHeight = 20;
  const width = stripWidth(Math.max(0, cells.length - 1), layout);
  const height = titleHeight + layout.cellHeight + layout.captionHeight;
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = '#222222';
  ctx.font = `bold 12px ${FONT_FAMILY}`;
  ctx.textBaseline = 'middle';
  ctx.fillText(title, 4, titleHeight / 2);
  cells.forEach((cell, i) => {
    const x = cellX(i, layout);
    const y = titleHeight;
    const inner = layout.frame + 1;
    drawCrop(ctx, cell, x + inner, y + inner, layout.cellWidth - 2 * inner, layout.cellHeight - 2 * inner);
    if (cell.outcome) {
      ctx.strokeStyle = cell.outcome === 'hit' ? HIT_COLOR : MISS_COLOR;
      ctx.lineWidth = layout.frame;
      const half = layout.frame / 2;
      ctx.strokeRect(x + half, y + half, layout.cellWidth - 2 * half - 1, layout.cellHeight - 2 * half - 1);
    }
    ctx.fillStyle = '#222222';
    ctx.font = `11px ${FONT_FAMILY}`;
    ctx.textAlign = 'center';
    ctx.fillText(cell.caption, x + layout.cellWidth / 2, y + layout.cellHeight + layout.captionHeight / 2, layout.cellWidth - 4);
    ctx.textAlign = 'left';
  });
  return canvas;
}

/** The box's pixels scaled to fit w x h, centred; grey when the image is missing. */
function drawCrop(ctx: ReturnType<Canvas['getContext']>, cell: StripCell, x: number, y: number, w: number, h: number): void {
  ctx.fillStyle = '#eeeeee';
  ctx.fillRect(x, y, w, h);
  if (!cell.image) return;
  const [x1, y1, x2, y2] = clampBox(cell.box, cell.image.width, cell.image.height);
  const sw = x2 - x1,
    sh = y2 - y1;
  if (sw <= 0 || sh <= 0) return;
  const scale = Math.min(w / sw, h / sh);
  const dw = sw * scale,
    dh = sh * scale;
  ctx.drawImage(cell.image, x1, y1, sw, sh, x + (w - dw) / 2, y + (h - dh) / 2, dw, dh);
}

function clampBox(box: readonly number[], width: number, height: number): [number, number, number, number] {
  const clamp = (v: number, hi: number): number => Math.max(0, Math.min(hi, v));
  return [clamp(box[0]!, width), clamp(box[1]!, height), clamp(box[2]!, width), clamp(box[3]!, height)];
}

/** Stacks canvases vertically (several strips in one picture). */
export function stackVertically(parts: readonly Canvas[], spacing = 6): Canvas {
  const width = Math.max(1, ...parts.map((p) => p.width));
  const height = Math.max(1, parts.reduce((sum, p) => sum + p.height, 0) + spacing * Math.max(0, parts.length - 1));
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  let y = 0;
  for (const p of parts) {
    ctx.drawImage(p, 0, y);
    y += p.height + spacing;
  }
  return canvas;
}
