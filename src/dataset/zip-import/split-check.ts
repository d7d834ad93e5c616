/**
 * `df2 validate`'s checks, run on a split while `df2 import` writes it: each
 * annotation is checked as soon as it and its image are out of the archive
 * (the annotation's text and the image's header taken from memory, not read
 * back), and at the end the cross-file checks run on the directory's listing
 * through validate-split's reportSplit, so that the problems, their order and
 * the summary are those `df2 validate DIR` gives on the result.
 */
import { readFile } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Problem } from '../../schema/index.js';
import { checkAnnotationContent, checkAnnotationFile, inputProblem, scanSplit } from '../read-split.js';
import { imageSizeOfContent, readImageSize, type ImageSize } from '../image-size.js';
import { reportSplit, validateSplit, type FileResult, type SplitSummary } from '../validate-split.js';

const readFileText = promisify(readFile);

/** What is kept of a checked annotation until the end: its item count, and its problems if any. */
interface Kept {
  itemCount: number;
  problems: Problem[];
}

const NO_PROBLEMS: Problem[] = [];

/** Checks running at once that read back from disk (an annotation that came out before its image). */
const MAX_IN_FLIGHT = 32;
/** Characters of annotation text held while waiting for images (about 128 MB). */
const WAITING_TEXT_BUDGET = 64 << 20;

export class SplitCheck {
  /** Sizes (or header problems) of images out of the archive whose annotation is not out yet. */
  private readonly imageSizes = new Map<string, ImageSize | Problem>();
  /**
   * Annotations out of the archive whose image is not out yet, with their
   * text while it fits in WAITING_TEXT_BUDGET (otherwise it is read back
   * from disk when the image comes: a zip may hold all of annos/ first).
   */
  private readonly waiting = new Map<string, string | undefined>();
  private waitingTextBytes = 0;
  private readonly kept = new Map<string, Kept>();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(readonly dir: string) {}

  private annoPath(name: string): string {
    return join(this.dir, 'annos', `${name}.json`);
  }

  private imagePath(name: string): string {
    return join(this.dir, 'image', `${name}.jpg`);
  }

  /** An image's size (or header problem) from its content in memory, taken before the content goes to the writer. */
  imageSizeOf(name: string, content: Uint8Array): ImageSize | Problem {
    try {
      return imageSizeOfContent(this.imagePath(name), content);
    } catch (err) {
      return inputProblem(err);
    }
  }

  /** An image is on disk; `known` is its size from imageSizeOf (otherwise the header is read back). */
  async imageOut(name: string, known: ImageSize | Problem | undefined): Promise<void> {
    let size: ImageSize | Problem;
    if (known) {
      size = known;
    } else {
      try {
        size = await readImageSize(this.imagePath(name));
      } catch (err) {
        size = inputProblem(err);
      }
    }
    if (this.waiting.has(name)) {
      const held = this.waiting.get(name);
      this.waiting.delete(name);
      if (held !== undefined) {
        this.waitingTextBytes -= held.length;
        this.keep(name, held, size);
        return;
      }
      await this.track(async () => {
        let text: string | Problem;
        try {
          text = await readFileText(this.annoPath(name), 'utf8');
        } catch (err) {
          text = {
            file: this.annoPath(name),
            path: '',
            expected: 'a readable file',
            found: (err as NodeJS.ErrnoException).code ?? 'an error',
            severity: 'error',
          };
        }
        this.keep(name, text, size);
      });
    } else {
      this.imageSizes.set(name, size);
    }
  }

  /** An annotation is on disk; `text` is its content when in memory (otherwise it is read back when needed). */
  async annotationOut(name: string, text: string | undefined): Promise<void> {
    const size = this.imageSizes.get(name);
    if (size === undefined) {
      const hold = text !== undefined && this.waitingTextBytes + text.length <= WAITING_TEXT_BUDGET;
      if (hold) this.waitingTextBytes += text.length;
      this.waiting.set(name, hold ? text : undefined);
      return;
    }
    this.imageSizes.delete(name);
    if (text !== undefined) return this.keep(name, text, size);
    await this.track(async () => {
      this.keep(name, await readFileText(this.annoPath(name), 'utf8'), size);
    });
  }

  private keep(name: string, text: string | Problem, size: ImageSize | Problem): void {
    const checked = checkAnnotationContent(this.annoPath(name), text, this.imagePath(name), size);
    this.kept.set(name, { itemCount: checked.itemCount, problems: checked.problems.length > 0 ? checked.problems : NO_PROBLEMS });
  }

  private async track(work: () => Promise<void>): Promise<void> {
    while (this.inFlight.size >= MAX_IN_FLIGHT) await Promise.race(this.inFlight);
    const promise: Promise<void> = work().finally(() => this.inFlight.delete(promise));
    this.inFlight.add(promise);
  }

  /**
   * Runs the cross-file checks on what is now on disk and reports every
   * problem in `df2 validate`'s order. Annotations whose image never came out
   * (and files that were there before) are checked from disk as validate
   * would. A split of images only is checked as `df2 validate` checks one.
   */
  async finish(onProblem: (problem: Problem) => void): Promise<SplitSummary> {
    await Promise.all(this.inFlight);
    const listing = await scanSplit(this.dir, { imagesOnly: true });
    if (!listing.hasAnnosDir) return validateSplit(this.dir, { onProblem });
    const checkedFiles = async function* (this: SplitCheck, names: Iterable<string>): AsyncGenerator<FileResult> {
      for (const name of names) {
        const imagePath = listing.images.has(name) ? this.imagePath(name) : undefined;
        const kept = this.kept.get(name);
        if (kept && !this.waiting.has(name)) {
          yield { name, annoPath: this.annoPath(name), imagePath, itemCount: kept.itemCount, problems: kept.problems };
        } else {
          yield await checkAnnotationFile(this.annoPath(name), imagePath);
        }
      }
    };
    return reportSplit(this.dir, listing, checkedFiles.bind(this), { onProblem });
  }
}
