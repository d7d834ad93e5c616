/** Reading pictures back by their pixels, for tests. */
import { readFile } from 'node:fs/promises';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { hexToRgb } from './colors.js';

export interface Pixels {
  width: number;
  height: number;
  /** [r, g, b, a] at integer pixel (x, y). */
  at(x: number, y: number): [number, number, number, number];
}

export async function readPixels(file: string | Buffer): Promise<Pixels> {
  const image = await loadImage(typeof file === 'string' ? await readFile(file) : file);
  const canvas = createCanvas(image.width, image.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(image, 0, 0);
  const data = ctx.getImageData(0, 0, image.width, image.height).data;
  return {
    width: image.width,
    height: image.height,
    at(x, y) {
      const i = (Math.floor(y) * image.width + Math.floor(x)) * 4;
      return [data[i]!, data[i + 1]!, data[i + 2]!, data[i + 3]!];
    },
  };
}

/** '#rrggbb' as an opaque [r, g, b, a]. */
export const rgba = (hex: string): [number, number, number, number] => [...hexToRgb(hex), 255];
