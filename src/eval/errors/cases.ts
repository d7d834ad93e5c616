/** Hand-made cases for the error-analysis tests (not a test file itself). */
import { cocoGt, writeJson, type TinyAnnotation } from '../coco/tiny-cases.js';
import { loadCocoPair } from '../coco/load.js';
import type { CocoGroundTruth } from '../coco/ground-truth.js';
import type { CocoResults } from '../coco/results.js';
import { tempDir } from '../../testing/paths.js';

type Box = [number, number, number, number];

/** A box result. */
export const det = (image_id: number, category_id: number, bbox: Box, score: number): Record<string, unknown> => ({ image_id, category_id, bbox, score });
/** A ground-truth item. */
export const item = (image_id: number, category_id: number, bbox: Box): TinyAnnotation => ({ image_id, category_id, bbox });

/** Loads a one-off ground truth (images 1..nImages, 100 x 100) and box results. */
export async function loadBoxes(items: TinyAnnotation[], dets: Record<string, unknown>[], nImages = 1): Promise<{ gt: CocoGroundTruth; results: CocoResults }> {
  const dir = await tempDir('df2-errors-');
  const images = Array.from({ length: nImages }, (_, i) => ({ id: i + 1 }));
  const gtFile = await writeJson(cocoGt(images, items), 'gt.json', dir);
  const resultsFile = await writeJson(dets, 'results.json', dir);
  return loadCocoPair('bbox', gtFile, resultsFile);
}
