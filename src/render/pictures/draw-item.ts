/**
 * Draws items on a 2D canvas context: masks first, then boxes, skeletons,
 * landmarks and labels, each layer over all items, so that no mask hides
 * another item's box and labels stay readable on top.
 */
import type { SKRSContext2D } from '@napi-rs/canvas';
import { createCanvas } from '@napi-rs/canvas';
import { categoryById } from '../../schema/index.js';
import { categoryColor, hexToRgb, STATE_COLORS, textColorOn } from './colors.js';
import type { BitMask, DrawnItem, Part, Xywh } from './drawn-item.js';

/** Sizes of strokes, dots and text, scaled to the image so small and large images read alike. */
interface DrawStyle {
  /** The panel's size: labels are kept inside it. */
  width: number;
  height: number;
  /** Box and outline width; odd, so a stroke on an integer edge covers whole pixels. */
  lineWidth: number;
  landmarkRadius: number;
  fontSize: number;
  maskAlpha: number;
}

export function styleForImage(width: number, height: number): DrawStyle {
  const base = Math.max(1, Math.round(Math.min(width, height) / 250));
  const lineWidth = 2 * base + 1;
  return {
    width,
    height,
    lineWidth,
    landmarkRadius: lineWidth + 2,
    fontSize: Math.max(11, Math.round(Math.min(width, height) / 42)),
    maskAlpha: 0.4,
  };
}

export const FONT_FAMILY = 'DejaVu Sans, sans-serif';

/** Draws `items` (coordinates in image pixels) showing only `parts`. */
export function drawItems(ctx: SKRSContext2D, items: readonly DrawnItem[], parts: ReadonlySet<Part>, style: DrawStyle): void {
  if (parts.has('mask')) for (const item of items) drawMask(ctx, item, style);
  if (parts.has('box')) for (const item of items) drawBox(ctx, item, style);
  if (parts.has('skeleton')) for (const item of items) drawSkeleton(ctx, item, style);
  if (parts.has('landmarks')) for (const item of items) drawLandmarks(ctx, item, style);
  if (parts.has('labels')) {
    const placed: Rect[] = [];
    for (const item of items) drawLabel(ctx, item, style, placed);
  }
}

function setDash(ctx: SKRSContext2D, item: DrawnItem, style: DrawStyle): void {
  ctx.setLineDash(item.dashed ? [style.lineWidth * 3, style.lineWidth * 2] : []);
}

function drawBox(ctx: SKRSContext2D, item: DrawnItem, style: DrawStyle): void {
  if (!item.box) return;
  const [x, y, w, h] = item.box;
  ctx.save();
  ctx.strokeStyle = categoryColor(item.categoryId);
  ctx.lineWidth = style.lineWidth;
  setDash(ctx, item, style);
  ctx.strokeRect(x, y, w, h);
  ctx.restore();
}

function drawMask(ctx: SKRSContext2D, item: DrawnItem, style: DrawStyle): void {
  const color = categoryColor(item.categoryId);
  if (item.polygons && item.polygons.length > 0) {
    const polygons = item.polygons.filter((p) => p.length >= 6);
    ctx.save();
    // All parts filled as one path with nonzero winding: overlapping parts are
    // one region (as the union merge of the evaluation treats them), not holes.
    ctx.globalAlpha = style.maskAlpha;
    ctx.fillStyle = color;
    ctx.beginPath();
    for (const p of polygons) tracePolygon(ctx, p);
    ctx.fill('nonzero');
    ctx.globalAlpha = 1;
    // Each part outlined on its own, so the parts of a garment stay visible.
    ctx.strokeStyle = color;
    ctx.lineWidth = style.lineWidth - 1;
    setDash(ctx, item, style);
    for (const p of polygons) {
      ctx.beginPath();
      tracePolygon(ctx, p);
      ctx.stroke();
    }
    ctx.restore();
  }
  if (item.mask) drawBitMask(ctx, item.mask, color, style.maskAlpha);
}

function tracePolygon(ctx: SKRSContext2D, p: readonly number[]): void {
  ctx.moveTo(p[0]!, p[1]!);
  for (let i = 2; i + 1 < p.length; i += 2) ctx.lineTo(p[i]!, p[i + 1]!);
  ctx.closePath();
}

/** A decoded mask: translucent inside, opaque on its edge pixels (its outline). */
function drawBitMask(ctx: SKRSContext2D, mask: BitMask, color: string, alpha: number): void {
  const { width, height, data } = mask;
  const [r, g, b] = hexToRgb(color);
  const layer = createCanvas(width, height);
  const lctx = layer.getContext('2d');
  const pixels = lctx.createImageData(width, height);
  const out = pixels.data;
  const inside = Math.round(alpha * 255);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (!data[i]) continue;
      const edge = x === 0 || y === 0 || x === width - 1 || y === height - 1 || !data[i - 1] || !data[i + 1] || !data[i - width] || !data[i + width];
      const o = i * 4;
      out[o] = r;
      out[o + 1] = g;
      out[o + 2] = b;
      out[o + 3] = edge ? 255 : inside;
    }
  }
  lctx.putImageData(pixels, 0, 0);
  ctx.drawImage(layer, 0, 0);
}

interface Point {
  x: number;
  y: number;
  v: number;
}

/** The item's landmarks that are drawn (v > 0), by 1-based landmark number. */
function labelledLandmarks(item: DrawnItem): Map<number, Point> {
  const points = new Map<number, Point>();
  const lm = item.landmarks;
  if (!lm) return points;
  const predicted = item.landmarkKind === 'predicted';
  for (let k = 0; 3 * k + 2 < lm.length; k++) {
    const x = lm[3 * k]!,
      y = lm[3 * k + 1]!,
      v = lm[3 * k + 2]!;
    if (predicted ? x === 0 && y === 0 && v === 0 : v <= 0) continue;
    points.set(k + 1, { x, y, v: predicted ? 2 : v });
  }
  return points;
}

/** Lines between labelled landmarks, stopping at the dots so hollow circles stay hollow. */
function drawSkeleton(ctx: SKRSContext2D, item: DrawnItem, style: DrawStyle): void {
  const category = categoryById(item.categoryId);
  if (!category) return;
  const points = labelledLandmarks(item);
  if (points.size < 2) return;
  ctx.save();
  ctx.strokeStyle = categoryColor(item.categoryId);
  ctx.lineWidth = Math.max(1, style.lineWidth - 1);
  setDash(ctx, item, style);
  const gap = style.landmarkRadius + 1;
  for (const [from, to] of category.skeleton) {
    const a = points.get(from),
      b = points.get(to);
    if (!a || !b) continue;
    const dx = b.x - a.x,
      dy = b.y - a.y;
    const length = Math.hypot(dx, dy);
    if (length <= 2 * gap) continue;
    const ux = dx / length,
      uy = dy / length;
    ctx.beginPath();
    ctx.moveTo(a.x + ux * gap, a.y + uy * gap);
    ctx.lineTo(b.x - ux * gap, b.y - uy * gap);
    ctx.stroke();
  }
  ctx.restore();
}

/** Visible landmarks as filled dots with a white rim; occluded ones as hollow circles. */
function drawLandmarks(ctx: SKRSContext2D, item: DrawnItem, style: DrawStyle): void {
  const color = categoryColor(item.categoryId);
  const r = style.landmarkRadius;
  ctx.save();
  ctx.setLineDash([]);
  for (const p of labelledLandmarks(item).values()) {
    ctx.beginPath();
    ctx.arc(p.x, p.y, r, 0, 2 * Math.PI);
    if (p.v >= 2) {
      ctx.fillStyle = color;
      ctx.fill();
      ctx.strokeStyle = '#ffffff';
      ctx.lineWidth = 1.5;
      ctx.stroke();
    } else {
      ctx.strokeStyle = color;
      ctx.lineWidth = 2;
      ctx.stroke();
    }
  }
  ctx.restore();
}

interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

const overlaps = (a: Rect, b: Rect): boolean => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

const STATE_TAGS = { matched: '✓', missed: '✗', 'false-positive': '✗', ignored: '–' } as const;

/** Where an item's label goes: its box, or the span of its drawn landmarks. */
function anchorBox(item: DrawnItem): Xywh | undefined {
  if (item.box) return item.box;
  const points = [...labelledLandmarks(item).values()];
  if (points.length === 0) return undefined;
  const xs = points.map((p) => p.x),
    ys = points.map((p) => p.y);
  const x = Math.min(...xs),
    y = Math.min(...ys);
  return [x, y, Math.max(...xs) - x, Math.max(...ys) - y];
}

/**
 * The label above the item's top-left corner (inside when there is no room),
 * moved down past labels already placed so they do not cover each other.
 */
function drawLabel(ctx: SKRSContext2D, item: DrawnItem, style: DrawStyle, placed: Rect[]): void {
  const anchor = anchorBox(item);
  if (!anchor || !item.label) return;
  const fs = style.fontSize;
  ctx.save();
  ctx.font = `bold ${fs}px ${FONT_FAMILY}`;
  ctx.textBaseline = 'middle';
  const pad = Math.round(fs / 4);
  const h = fs + 2 * pad;
  const tag = item.state ? STATE_TAGS[item.state] : '';
  const tagWidth = tag ? h : 0;
  const textWidth = ctx.measureText(item.label).width;
  const w = tagWidth + textWidth + 2 * pad;
  const [bx, by] = anchor;
  const rect: Rect = {
    x: Math.max(0, Math.min(bx, style.width - w)),
    y: by - h >= 0 ? by - h : by,
    w,
    h,
  };
  for (let tries = 0; tries < 8 && placed.some((p) => overlaps(p, rect)); tries++) rect.y += h;
  rect.y = Math.min(rect.y, style.height - h);
  placed.push(rect);
  const color = categoryColor(item.categoryId);
  if (tag && item.state) {
    ctx.fillStyle = STATE_COLORS[item.state];
    ctx.fillRect(rect.x, rect.y, tagWidth, h);
    ctx.fillStyle = '#ffffff';
    ctx.textAlign = 'center';
    ctx.fillText(tag, rect.x + tagWidth / 2, rect.y + h / 2);
  }
  ctx.fillStyle = color;
  ctx.fillRect(rect.x + tagWidth, rect.y, w - tagWidth, h);
  ctx.fillStyle = textColorOn(color);
  ctx.textAlign = 'left';
  ctx.fillText(item.label, rect.x + tagWidth + pad, rect.y + h / 2);
  ctx.restore();
}
