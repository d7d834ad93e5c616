/**
 * Checks a whole split and reports every problem: each annotation file (via
 * read-split's checkAnnotationFile) plus what only shows across files:
 * annotations without an image, images without an annotation, and names that
 * are not six digits. Problems are handed out as they are found, in file
 * order, so that memory does not grow with their number.
 */
import { join } from 'node:path';
import type { Problem } from '../schema/index.js';
import { mapOrdered } from '../util/ordered-map.js';
import {
  DEFAULT_CONCURRENCY,
  checkAnnotationFile,
  checkSplitFiles,
  inputProblem,
  scanSplit,
  type CheckedFile,
  type NameList,
  type SplitListing,
} from './read-split.js';
import { imageName } from '../schema/index.js';
import { readImageSize } from './image-size.js';

export interface SplitSummary {
  /** Annotation files checked (including ones with a wrong name). */
  files: number;
  /** Item keys in those files. */
  items: number;
  errors: number;
  warnings: number;
}

export interface ValidateSplitOptions {
  /**
   * Files in flight at once.
   * @default 32 (`DEFAULT_CONCURRENCY`)
   */
  concurrency?: number;
  onProblem: (problem: Problem) => void;
  /** Called with the total number of annotation files once it is known, then after each file. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Checks DIR; throws InputError only when DIR is not a split at all (neither
 * annos/ nor image/). A split of images only (the test split, whose ground
 * truth is withheld) is checked for its images: names and readable headers.
 */
export async function validateSplit(dir: string, options: ValidateSplitOptions): Promise<SplitSummary> {
  const listing = await scanSplit(dir, { imagesOnly: true });
  if (!listing.hasAnnosDir) return validateImages(dir, listing, options);
  return reportSplit(
    dir,
    listing,
    (names) =>
      checkSplitFiles(
        dir,
        { names, images: listing.images },
        {
          concurrency: options.concurrency,
          onProgress: (done, total) => options.onProgress?.(listing.strayAnnotations.length + done, listing.strayAnnotations.length + total),
        },
      ),
    options,
  );
}

/** The per-file results the cross-file checks need (a CheckedFile, or what `df2 import` kept of one). */
export type FileResult = Pick<CheckedFile, 'name' | 'annoPath' | 'imagePath' | 'itemCount' | 'problems'>;

/**
 * The checks of `df2 validate` on a listing, with the per-file results of
 * listing.names coming from `checkedFiles` (in names order): from the disk
 * for `df2 validate`, from what was checked as files came out of an archive
 * for `df2 import`. Problems are reported in the same order either way.
 */
export async function reportSplit(
  dir: string,
  listing: SplitListing,
  checkedFiles: (names: NameList) => AsyncIterable<FileResult>,
  options: ValidateSplitOptions,
): Promise<SplitSummary> {
  const summary: SplitSummary = { files: 0, items: 0, errors: 0, warnings: 0 };
  const report = (problem: Problem): void => {
    if (problem.severity === 'error') summary.errors++;
    else summary.warnings++;
    options.onProblem(problem);
  };
  const error = (file: string, expected: string, found: string): void => report({ file, path: '', expected, found, severity: 'error' });

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

  for await (const checked of checkedFiles(listing.names)) {
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

/** The checks of an images-only split: six-digit names, and a JPEG/PNG header with a size in every image. */
async function validateImages(dir: string, listing: SplitListing, options: ValidateSplitOptions): Promise<SplitSummary> {
  const summary: SplitSummary = { files: 0, items: 0, errors: 0, warnings: 0 };
  const report = (problem: Problem): void => {
    summary.errors++;
    options.onProblem(problem);
  };
  const imageDir = join(dir, 'image');
  const names = [...listing.images].sort();
  options.onProgress?.(0, names.length);
  if (names.length === 0 && listing.strayImages.length === 0) {
    report({ file: imageDir, path: '', expected: 'at least one NNNNNN.jpg image', found: 'none', severity: 'error' });
  }
  for (const entry of listing.strayImages) {
    report({ file: join(imageDir, entry), path: '', expected: 'a six-digit file name like 000001.jpg', found: JSON.stringify(entry), severity: 'error' });
  }
  const checked = mapOrdered(names, options.concurrency ?? DEFAULT_CONCURRENCY, async (name) => {
    try {
      await readImageSize(join(imageDir, `${name}.jpg`));
      return undefined;
    } catch (err) {
      return inputProblem(err);
    }
  });
  for await (const problem of checked) {
    summary.files++;
    options.onProgress?.(summary.files, names.length);
    if (problem) report(problem);
  }
  return summary;
}
