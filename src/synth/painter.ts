/**
 * Paints a synthetic image: a soft gradient background and each garment's
 * mask polygons filled with the garment's colour (extra parts such as sleeves
 * in a slightly darker shade, seams stroked), so that the pictures show what
 * the annotations say. Encoded as JPEG with @napi-rs/canvas (Skia).
 */
import { createCanvas, type Canvas } from '@napi-rs/canvas';
import type { Rgb } from './scene.js';

interface PaintShape {
  /** Closed polygons; the first `pieces` are outlines, the rest extra parts. */
  polygons: number[][];
  pieces: number;
  colour: Rgb;
}

export interface PaintJob {
  /** Where the worker writes the JPEG. */
  file: string;
  width: number;
  height: number;
  background: { from: Rgb; to: Rgb; diagonal: boolean };
  /** In drawing order: later shapes cover earlier ones. */
  shapes: PaintShape[];
}

/** JPEG quality: small files, no visible blocking on flat colours. */
const JPEG_QUALITY = 85;

const css = ([r, g, b]: Rgb): string => `rgb(${r}, ${g}, ${b})`;
const shade = ([r, g, b]: Rgb, factor: number): Rgb => [Math.round(r * factor), Math.round(g * factor), Math.round(b * factor)];

/**
 * One canvas per image size, reused: a fresh canvas per image holds native
 * memory that the garbage collector (seeing only a small JS object) frees far
 * too late, and the sizes come from a short list. Every pixel is repainted.
 */
const canvases = new Map<string, Canvas>();

function canvasOf(width: number, height: number): Canvas {
  const key = `${width}x${height}`;
  let canvas = canvases.get(key);
  if (!canvas) {
    canvas = createCanvas(width, height);
    canvases.set(key, canvas);
  }
  return canvas;
}

export function paintJpeg(job: PaintJob): Buffer {
  const canvas = canvasOf(job.width, job.height);
  const context = canvas.getContext('2d');
  context.setTransform(1, 0, 0, 1, 0, 0);
  context.globalAlpha = 1;
  context.globalCompositeOperation = 'source-over';
  const { from, to, diagonal } = job.background;
  const gradient = context.createLinearGradient(0, 0, diagonal ? job.width : 0, job.height);
  gradient.addColorStop(0, css(from));
  gradient.addColorStop(1, css(to));
  context.fillStyle = gradient;
  context.fillRect(0, 0, job.width, job.height);

  context.lineJoin = 'round';
  for (const shape of job.shapes) {
    shape.polygons.forEach((polygon, index) => {
      context.beginPath();
      context.moveTo(polygon[0]!, polygon[1]!);
      for (let i = 2; i < polygon.length; i += 2) context.lineTo(polygon[i]!, polygon[i + 1]!);
      context.closePath();
      const isPart = index >= shape.pieces;
      context.fillStyle = css(isPart ? shade(shape.colour, 0.85) : shape.colour);
      context.fill();
      context.strokeStyle = css(shade(shape.colour, 0.6));
      context.lineWidth = isPart ? 1 : 2;
      context.stroke();
    });
  }
  return canvas.encodeSync('jpeg', JPEG_QUALITY);
}
