/**
 * Thumbnails for the grid: the JPEG scaled to a width from a fixed ladder
 * (so the cache holds a few sizes, not one per requested pixel), encoded
 * with @napi-rs/canvas and kept on disk beside the database. A thumbnail is
 * made again when its source is newer.
 */
import { loadImage, createCanvas } from '@napi-rs/canvas';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../util/atomic.js';

const THUMBNAIL_WIDTHS = [160, 240, 320, 480, 640, 960] as const;

/** The smallest ladder width >= the requested one (the largest if none). */
export function thumbnailWidth(requested: number): number {
  return THUMBNAIL_WIDTHS.find((w) => w >= requested) ?? THUMBNAIL_WIDTHS[THUMBNAIL_WIDTHS.length - 1]!;
}

/** At most this many resizes at once: each decodes a full image. */
const MAX_CONCURRENT = 2;
let active = 0;
const waiting: (() => void)[] = [];

async function limited<T>(work: () => Promise<T>): Promise<T> {
  if (active >= MAX_CONCURRENT) await new Promise<void>((resolve) => waiting.push(resolve));
  active++;
  try {
    return await work();
  } finally {
    active--;
    waiting.shift()?.();
  }
}

/** Bytes of the thumbnail of `source` at ladder width `width` (no upscaling), cached under `cacheDir`. */
export async function thumbnail(source: string, cacheFile: string, width: number): Promise<Buffer> {
  const [src, cached] = await Promise.all([stat(source), stat(cacheFile).catch(() => undefined)]);
  if (cached && cached.mtimeMs >= src.mtimeMs) return readFile(cacheFile);
  return limited(async () => {
    const image = await loadImage(await readFile(source));
    const w = Math.min(width, image.width);
    const h = Math.max(1, Math.round((image.height * w) / image.width));
    const canvas = createCanvas(w, h);
    const ctx = canvas.getContext('2d');
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(image, 0, 0, w, h);
    const jpeg = await canvas.encode('jpeg', 82);
    await writeFileAtomic(cacheFile, jpeg);
    return jpeg;
  });
}

export const thumbnailCachePath = (cacheDir: string, splitId: number, width: number, imageId: number): string =>
  join(cacheDir, String(splitId), String(width), `${imageId}.jpg`);
