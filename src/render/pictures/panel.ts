/**
 * Panel layout: one image drawn once per panel, side by side, each panel with
 * its own items and a caption. A panel is exactly the image's size, so a
 * picture of n panels is n x width by height, and item coordinates need no
 * scaling.
 */
import { createCanvas, type Canvas, type Image } from '@napi-rs/canvas';
import { drawItems, FONT_FAMILY, styleForImage } from './draw-item.js';
import type { DrawnItem, Part } from './drawn-item.js';

export interface Panel {
  /** Shown in the panel's bottom-left corner, e.g. "ground truth". */
  caption: string;
  items: readonly DrawnItem[];
}

export function composePanels(image: Image | Canvas, panels: readonly Panel[], parts: ReadonlySet<Part>): Canvas {
  const width = image.width,
    height = image.height;
  const canvas = createCanvas(width * panels.length, height);
  const ctx = canvas.getContext('2d');
  const style = styleForImage(width, height);
  panels.forEach((panel, i) => {
    ctx.save();
    ctx.translate(i * width, 0);
    ctx.beginPath();
    ctx.rect(0, 0, width, height);
    ctx.clip();
    ctx.drawImage(image, 0, 0, width, height);
    drawItems(ctx, panel.items, parts, style);
    drawCaption(ctx, panel.caption, height, style.fontSize);
    ctx.restore();
  });
  return canvas;
}

function drawCaption(ctx: ReturnType<Canvas['getContext']>, caption: string, height: number, fontSize: number): void {
  if (!caption) return;
  ctx.font = `bold ${fontSize}px ${FONT_FAMILY}`;
  ctx.textBaseline = 'middle';
  const pad = Math.round(fontSize / 3);
  const h = fontSize + 2 * pad;
  const w = ctx.measureText(caption).width + 2 * pad;
  ctx.fillStyle = 'rgba(0, 0, 0, 0.7)';
  ctx.fillRect(0, height - h, w, h);
  ctx.fillStyle = '#ffffff';
  ctx.textAlign = 'left';
  ctx.fillText(caption, pad, height - h / 2);
}
