/** Small hand-made COCO cases for the tests of this directory (not a test file itself). */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CATEGORIES, KEYPOINT_VECTOR_LENGTH, categoryById } from '../../schema/index.js';
import { tempDir } from '../../testing/paths.js';
import { type CocoEvalResult, evaluateLoaded } from './evaluate.js';
import type { CocoEvalOptions } from './plan.js';
import { loadCocoPair } from './load.js';
import type { CocoTask } from './params.js';

export interface TinyImage {
  id: number;
  width?: number;
  height?: number;
}

export type TinyAnnotation = Record<string, unknown> & { image_id: number; category_id: number };

/** A COCO ground truth with the 13 DeepFashion2 categories; ids and areas filled in when absent. */
export function cocoGt(images: TinyImage[], annotations: TinyAnnotation[]): Record<string, unknown> {
  return {
    images: images.map((im) => ({ id: im.id, width: im.width ?? 100, height: im.height ?? 100, file_name: `${im.id}.jpg` })),
    annotations: annotations.map((a, i) => {
      const bbox = (a.bbox as number[] | undefined) ?? [0, 0, 10, 10];
      return {
        id: i + 1,
        iscrowd: 0,
        area: bbox[2]! * bbox[3]!,
        bbox,
        num_keypoints: 0,
        keypoints: new Array(KEYPOINT_VECTOR_LENGTH).fill(0),
        segmentation: [[bbox[0]!, bbox[1]!, bbox[0]! + bbox[2]!, bbox[1]!, bbox[0]! + bbox[2]!, bbox[1]! + bbox[3]!, bbox[0]!, bbox[1]! + bbox[3]!]],
        ...a,
      };
    }),
    categories: CATEGORIES.map((c) => ({ id: c.id, name: c.cocoName, supercategory: 'clothes' })),
  };
}

/** The 882-long keypoint vector with `points` ([x, y, v] per landmark of the category, in order) at the category's offset. */
export function keypointVector(categoryId: number, points: [number, number, number][]): number[] {
  const category = categoryById(categoryId)!;
  const out = new Array<number>(KEYPOINT_VECTOR_LENGTH).fill(0);
  points.forEach(([x, y, v], i) => {
    out[3 * (category.offset + i)] = x;
    out[3 * (category.offset + i) + 1] = y;
    out[3 * (category.offset + i) + 2] = v;
  });
  return out;
}

/** `n` landmarks of a category spread over a box, all visible. */
export function landmarksIn(categoryId: number, x: number, y: number, w: number, h: number): [number, number, number][] {
  const n = categoryById(categoryId)!.landmarks;
  return Array.from({ length: n }, (_, i) => [x + (w * (i % 5)) / 4, y + (h * Math.floor(i / 5)) / Math.ceil(n / 5), 2]);
}

export async function writeJson(value: unknown, name = 'file.json', dir?: string): Promise<string> {
  const file = join(dir ?? (await tempDir('df2-coco-')), name);
  await writeFile(file, typeof value === 'string' ? value : JSON.stringify(value));
  return file;
}

/** Writes both files and evaluates them. */
export async function evaluateJson(task: CocoTask, gt: unknown, results: unknown, options: CocoEvalOptions = {}): Promise<CocoEvalResult> {
  const dir = await tempDir('df2-coco-');
  const gtFile = await writeJson(gt, 'gt.json', dir);
  const resultsFile = await writeJson(results, 'results.json', dir);
  const { gt: loadedGt, results: loaded } = await loadCocoPair(task, gtFile, resultsFile);
  return evaluateLoaded(task, loadedGt, loaded, options);
}
