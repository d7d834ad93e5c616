/**
 * Checks a whole split and reports every problem: each annotation file (via
 * read-split's checkAnnotationFile) plus what only shows across files:
 * annotations without an image, images without an annotation, and names that
 * are not six digits. Problems are handed out as they are found, in file
 * order, so that memory does not grow with their number.
 */
import { join } from 'node:path';
import type { Problem } from '../schema/validate-annotation.js';
import { imageName } from '../schema/annotation.js';
import { checkAnnotationFile, checkSplitFiles, scanSplit } from './read-split.js';

export interface SplitSummary {
  /** Annotation files checked (including ones with a wrong name). */
  files: number;
  /** Item keys in those files. */
  items: number;
  errors: number;
  warnings: number;
}

export interface ValidateSplitOptions {
  concurrency?: number;
  onProblem: (problem: Problem) => void;
  /** Called with the total number of annotation files once it is known, then after each file. */
  onProgress?: (done: number, total: number) => void;
}

/** Checks DIR; throws InputError only when DIR is not a split at all (no annos/). */
export async function validateSplit(dir: string, options: ValidateSplitOptions): Promise<SplitSummary> {
  const summary: SplitSummary = { files: 0, items: 0, errors: 0, warnings: 0 };
  const report = (problem: Problem): void => {
    if (problem.severity === 'error') summary.errors++;
    else summary.warnings++;
    options.onProblem(problem);
  };
  const error = (file: string, expected: string, found: string): void =>
    report({ file, path: '', expected, found, severity: 'error' });

  const listing = await scanSplit(dir);
  const annosDir = join(dir, 'annos');
  const imageDir = join(dir, 'image');
  options.onProgress?.(0, listing.names.length + listing.strayAnnotations.length);

  if (!listing.hasImageDir) error(imageDir, 'a directory of NNNNNN.jpg images', 'nothing there');
  if (listing.names.length === 0 && listing.strayAnnotations.length === 0) {
    error(annosDir, 'at least one NNNNNN.json annotation file', 'none');
  }
  for (const entry of listing.strayImages) error(join(imageDir, entry), 'a six-digit file name like 000001.jpg', JSON.stringify(entry));
  // A misnamed .json is still checked inside (its name is one of its problems).
  for (const entry of listing.strayAnnotations) {
    if (entry.endsWith('.json')) {
      const checked = await checkAnnotationFile(join(annosDir, entry), undefined);
      summary.files++;
      summary.items += checked.itemCount;
      checked.problems.forEach(report);
    } else {
      error(join(annosDir, entry), 'a six-digit file name like 000001.json', JSON.stringify(entry));
    }
  }

  // Images without an annotation are reported in number order among the files.
  // Walks the image ids in order beside the annotations (no list of orphans is kept).
  const imageIds = listing.images.ids();
  let nextImage = imageIds.next();
  let at = 0;
  const reportOrphansBefore = (name: string | undefined): void => {
    const limit = name === undefined ? Infinity : Number(name);
    for (; !nextImage.done && nextImage.value < limit; nextImage = imageIds.next()) {
      const id = nextImage.value;
      while (at < listing.names.length && listing.names.ids[at]! < id) at++;
      if (at < listing.names.length && listing.names.ids[at] === id) continue;
      const orphan = imageName(id);
      error(join(imageDir, `${orphan}.jpg`), `an annotation ${join(annosDir, `${orphan}.json`)}`, 'no such file');
    }
  };

  const strays = listing.strayAnnotations.length;
  for await (const checked of checkSplitFiles(dir, listing, {
    concurrency: options.concurrency,
    onProgress: (done, total) => options.onProgress?.(strays + done, strays + total),
  })) {
    reportOrphansBefore(checked.name);
    summary.files++;
    summary.items += checked.itemCount;
    if (listing.hasImageDir && !checked.imagePath) {
      error(checked.annoPath, `an image ${join(imageDir, `${checked.name}.jpg`)}`, 'no such file');
    }
    checked.problems.forEach(report);
  }
  reportOrphansBefore(undefined);
  return summary;
}
