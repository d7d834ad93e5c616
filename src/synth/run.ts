/**
 * `df2 synth` end to end: generate the images one after another (annotation
 * written at once, JPEG handed to the paint workers, predictions streamed to
 * their files), all inside a temporary directory beside the target that is
 * renamed into place only when everything is written. Memory holds one image
 * at a time plus the small gallery and query lists retrieval needs.
 */
import { readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError } from '../util/errors.js';
import { makeDirsSync } from '../util/make-dirs.js';
import type { Progress } from '../util/progress.js';
import { annotationJson } from './annotation-json.js';
import { imageName } from '../schema/index.js';
import { PaintPool } from './paint-pool.js';
import { imitateDetections } from './predictions.js';
import { JsonArrayWriter, bboxResultJson, keypointsResultJson, retrievalResultJson, segmResultJson } from './results-json.js';
import { RetrievalGuesser, type GalleryItem, type QueryDetection } from './retrieval.js';
import { synthesizeSplit, type SynthImage } from './scene.js';
import { endBySignal, type StopSignal } from '../util/process-end.js';
import { ignoreRejection } from '../util/ignore-rejection.js';

export interface SynthOptions {
  out: string;
  images: number;
  seed: number;
  predictions: boolean;
  /**
   * Paint worker threads.
   * @default 2
   */
  workers?: number;
  /**
   * Replace a non-empty output directory.
   * @default false
   */
  force?: boolean;
  progress?: Progress;
}

export interface SynthSummary {
  out: string;
  seed: number;
  images: number;
  items: number;
  pairIds: number;
  userImages: number;
  shopImages: number;
  /** Items per category id 1..13 (index 0 = category 1). */
  itemsPerCategory: number[];
  imageBytes: number;
  predictions?: {
    detections: number;
    retrievalResults: number;
  };
}

export const MAX_IMAGES = 999_999;

/** Checks the options before any work: an output that exists must be an empty directory (or --force). */
function checkTarget(out: string, force: boolean): void {
  let stats;
  try {
    stats = statSync(out);
  } catch {
    return; // does not exist: fine
  }
  if (!stats.isDirectory()) throw new InputError(out, '', 'a directory to create (or an empty one)', 'a file');
  const entries = readdirSync(out).length;
  if (entries > 0 && !force) {
    throw new InputError(out, '', 'a new or empty directory (or --force to replace it)', `${entries} entries`);
  }
}

class PredictionFiles {
  private constructor(
    readonly bbox: JsonArrayWriter,
    readonly segm: JsonArrayWriter,
    readonly keypoints: JsonArrayWriter,
  ) {}

  readonly gallery: GalleryItem[] = [];
  readonly queries: QueryDetection[] = [];

  static async open(dir: string): Promise<PredictionFiles> {
    const results = join(dir, 'results');
    return new PredictionFiles(
      await JsonArrayWriter.open(join(results, 'bbox_results.json')),
      await JsonArrayWriter.open(join(results, 'segm_results.json')),
      await JsonArrayWriter.open(join(results, 'keypoints_results.json')),
    );
  }

  async add(seed: number, image: SynthImage): Promise<void> {
    const detections = imitateDetections(seed, image);
    for (const d of detections) {
      await this.bbox.push(bboxResultJson(d));
      await this.segm.push(segmResultJson(d, image.width, image.height));
      await this.keypoints.push(keypointsResultJson(d));
      if (image.source === 'user') {
        const truth = d.truth >= 0 ? image.items[d.truth] : undefined;
        this.queries.push({
          imageId: image.id,
          box: d.box,
          categoryId: d.categoryId,
          score: d.score,
          quality: d.quality,
          pairId: image.pairId,
          style: truth?.style ?? 0,
        });
      }
    }
    if (image.source === 'shop') {
      for (const item of image.items) {
        this.gallery.push({ imageId: image.id, box: item.boundingBox, categoryId: item.categoryId, pairId: image.pairId, style: item.style });
      }
    }
  }

  /** Closes the detection files and writes the retrieval file; returns its length. */
  async finish(seed: number, dir: string): Promise<number> {
    await this.bbox.close();
    await this.segm.close();
    await this.keypoints.close();
    const guesser = new RetrievalGuesser(seed, this.gallery);
    const retrieval = await JsonArrayWriter.open(join(dir, 'retrieval', 'results.json'));
    try {
      for (let i = 0; i < this.queries.length; i++) await retrieval.push(retrievalResultJson(guesser.guess(this.queries[i]!, i)));
      await retrieval.close();
    } catch (err) {
      await retrieval.abort();
      throw err;
    }
    return retrieval.length;
  }

  async abort(): Promise<void> {
    await Promise.all([this.bbox.abort(), this.segm.abort(), this.keypoints.abort()]);
  }
}

export async function synthesize(options: SynthOptions): Promise<SynthSummary> {
  const out = resolve(options.out);
  checkTarget(out, options.force ?? false);
  const temp = join(dirname(out), `.${basename(out)}.synth-${process.pid}.tmp`);
  rmSync(temp, { recursive: true, force: true });
  try {
    makeDirsSync(join(temp, 'image'));
    makeDirsSync(join(temp, 'annos'));
  } catch (err) {
    rmSync(temp, { recursive: true, force: true });
    throw new InputError(out, '', 'a folder that can be made', (err as Error).message);
  }
  const pool = new PaintPool(options.workers ?? 2);
  // An interrupted run leaves nothing behind: stop the painters, then remove their directory.
  const onSignal = (signal: StopSignal): void => {
    void pool.close().finally(() => {
      rmSync(temp, { recursive: true, force: true, maxRetries: 5 });
      endBySignal(signal);
    });
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let predictions: PredictionFiles | undefined;
  const summary: SynthSummary = {
    out,
    seed: options.seed,
    images: 0,
    items: 0,
    pairIds: 0,
    userImages: 0,
    shopImages: 0,
    itemsPerCategory: new Array<number>(13).fill(0),
    imageBytes: 0,
  };
  try {
    // Inside the try: a failure to open them still stops the painters and removes the directory.
    if (options.predictions) predictions = await PredictionFiles.open(temp);
    for (const image of synthesizeSplit(options.seed, options.images)) {
      const stem = imageName(image.id);
      writeFileSync(join(temp, 'annos', `${stem}.json`), annotationJson(image));
      await pool.submit({
        file: join(temp, 'image', `${stem}.jpg`),
        width: image.width,
        height: image.height,
        background: image.background,
        shapes: image.items.map((item) => ({ polygons: item.segmentation, pieces: item.pieces.length, colour: item.colour })),
      });
      await predictions?.add(options.seed, image);
      summary.images++;
      summary.items += image.items.length;
      summary.pairIds = image.pairId;
      if (image.source === 'user') summary.userImages++;
      else summary.shopImages++;
      for (const item of image.items) summary.itemsPerCategory[item.categoryId - 1]!++;
      options.progress?.increment();
    }
    await pool.drain();
    summary.imageBytes = pool.writtenBytes;
    if (predictions) {
      const detections = predictions.bbox.length;
      const retrievalResults = await predictions.finish(options.seed, temp);
      summary.predictions = { detections, retrievalResults };
    }
    replaceDirectory(temp, out);
    return summary;
  } catch (err) {
    if (predictions) await ignoreRejection(predictions.abort(), 'the failure that stopped the run is the one reported');
    await pool.close();
    rmSync(temp, { recursive: true, force: true, maxRetries: 5 });
    throw err;
  } finally {
    await pool.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** Puts the finished directory in place: over an empty or missing target, or replacing one (--force). */
function replaceDirectory(finished: string, target: string): void {
  let old: string | undefined;
  try {
    if (readdirSync(target).length === 0) rmSync(target, { recursive: true });
    else {
      old = join(dirname(target), `.${basename(target)}.old-${process.pid}`);
      renameSync(target, old);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  renameSync(finished, target);
  if (old) rmSync(old, { recursive: true, force: true });
}
