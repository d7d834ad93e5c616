/**
 * A COCO `segmentation` value to one RLE, as pycocotools' COCO.annToRLE reads
 * it (frPyObjects, then merge):
 * - a list of polygons [[x, y, ...], ...]: each polygon to RLE, then the union.
 *   If the FIRST polygon has exactly 4 numbers the whole list is read as boxes
 *   [x, y, w, h] (frPyObjects tests only the first element); every element must
 *   then be 4 numbers. A first element of fewer than 4 numbers is an error; a
 *   later polygon of any length is rasterised (2 numbers or none: empty).
 * - a list of uncompressed RLE objects: each decoded, then the union.
 * - {size: [h, w], counts: number[]}: an uncompressed RLE.
 * - {size: [h, w], counts: string}: a compressed RLE.
 * RLE objects carry their own size, which is used as is (pycocotools does the
 * same; a size different from the image then yields IoU -1 in rleIou).
 */
import { RleFormatError, checkRleSize } from './errors.js';
import { rleFromString } from './codec.js';
import { rleFromBox, rleFromPolygon } from './polygon.js';
import { type Rle, rleCheck, rleMerge } from './rle.js';
import { isJsonObject as isObject, isFiniteNumber } from '../util/json-guards.js';

export function rleFromSegmentation(segm: unknown, height: number, width: number): Rle {
  if (Array.isArray(segm)) return fromList(segm, height, width);
  if (isObject(segm)) return fromRleObject(segm);
  throw new RleFormatError(`segmentation must be a list of polygons or an RLE object, found ${kindOf(segm)}`);
}

function fromList(list: unknown[], height: number, width: number): Rle {
  if (list.length === 0) throw new RleFormatError('segmentation is an empty list');
  const first = list[0];
  if (isObject(first)) {
    return rleMerge(
      list.map((item, i) => {
        if (!isObject(item)) throw new RleFormatError(`segmentation[${i}] must be an RLE object like segmentation[0], found ${kindOf(item)}`);
        return fromRleObject(item, `segmentation[${i}]`);
      }),
    );
  }
  if (!Array.isArray(first)) throw new RleFormatError(`segmentation[0] must be a polygon (list of numbers), found ${kindOf(first)}`);
  if (first.length === 4) {
    return rleMerge(
      list.map((box, i) => {
        if (!isBox(box)) {
          throw new RleFormatError(`segmentation[${i}] must be a box of 4 numbers (segmentation[0] has 4, so all are read as boxes)`);
        }
        const [x, y, w, h] = box;
        return rleFromBox(x, y, w, h, height, width);
      }),
    );
  }
  if (first.length < 4) throw new RleFormatError(`segmentation[0] must have at least 6 numbers (a polygon) or 4 (a box), found ${first.length}`);
  return rleMerge(
    list.map((polygon, i) => {
      if (!Array.isArray(polygon)) throw new RleFormatError(`segmentation[${i}] must be a polygon (list of numbers), found ${kindOf(polygon)}`);
      if (!polygon.every(isFiniteNumber)) throw new RleFormatError(`segmentation[${i}] must hold only finite numbers`);
      try {
        return rleFromPolygon(polygon, height, width);
      } catch (error) {
        if (error instanceof RleFormatError) throw new RleFormatError(`segmentation[${i}]: ${error.reason}`);
        throw error;
      }
    }),
  );
}

function fromRleObject(obj: Record<string, unknown>, where = 'segmentation'): Rle {
  const size = obj.size;
  if (!Array.isArray(size) || size.length !== 2 || typeof size[0] !== 'number' || typeof size[1] !== 'number') {
    throw new RleFormatError(`${where}.size must be [height, width], found ${kindOf(size)}`);
  }
  const [h, w] = size as [number, number];
  const counts = obj.counts;
  try {
    checkRleSize(h, w);
    if (typeof counts === 'string') return rleFromString(counts, h, w);
    if (Array.isArray(counts)) {
      const runs = new Uint32Array(counts.length);
      for (let j = 0; j < counts.length; j++) {
        const c: unknown = counts[j];
        if (typeof c !== 'number' || !Number.isInteger(c) || c < 0 || c > 0xffffffff) {
          throw new RleFormatError(`counts[${j}] must be a non-negative integer, found ${kindOf(c)}`);
        }
        runs[j] = c;
      }
      const rle = { height: h, width: w, counts: runs };
      rleCheck(rle);
      return rle;
    }
  } catch (error) {
    if (error instanceof RleFormatError) throw new RleFormatError(`${where}: ${error.reason}`);
    throw error;
  }
  throw new RleFormatError(`${where}.counts must be a string or a list of run lengths, found ${kindOf(counts)}`);
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'string') return value.length > 20 ? 'a string' : JSON.stringify(value);
  if (typeof value === 'number') return String(value);
  return typeof value === 'object' ? 'an object' : typeof value;
}

/** A box [x, y, w, h] of finite numbers. */
function isBox(value: unknown): value is [number, number, number, number] {
  return Array.isArray(value) && value.length === 4 && value.every(isFiniteNumber);
}
