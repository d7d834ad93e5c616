/**
 * Streams a split to a COCO ground-truth file. The train split gives several
 * GB, so nothing is held: image entries go straight to the output and
 * annotations to a scratch file beside it, appended after the images (the
 * release's key order: info, licenses, images, annotations, categories). The
 * output appears only when complete (AtomicWriter).
 */
import type { ImageRecord } from '../schema/index.js';
import type { SplitImage } from '../dataset/index.js';
import { InputError } from '../util/errors.js';
import { withAtomicWriter } from '../util/atomic.js';
import { cocoAnnotation, cocoCategories, cocoImage, type CocoOptions } from './coco.js';
import { pyJson } from './py-json.js';
import { SpoolFile } from './spool.js';

export interface CocoWriteSummary {
  images: number;
  annotations: number;
}

const FLOAT_KEYS: ReadonlySet<string> = new Set(['keypoints']);

/** The size that goes into the image entry; a missing or unreadable image is an input error. */
export function requireImageSize(record: ImageRecord, needs: string): void {
  if (record.width > 0 && record.height > 0) return;
  const where = record.imagePath ?? record.annoPath.replace(/annos([/\\])(\d+)\.json$/, 'image$1$2.jpg');
  throw new InputError(where, '', `the image of ${record.name} (${needs})`, record.imagePath ? 'no readable size' : 'no such file');
}

export async function writeCocoFile(records: AsyncIterable<ImageRecord>, target: string, options: CocoOptions = {}): Promise<CocoWriteSummary> {
  return withAtomicWriter(target, async (out) => {
    const spool = await SpoolFile.open(target, 'annotations');
    try {
      let images = 0;
      let annotations = 0;
      await out.write('{"info": {}, "licenses": [], "images": [');
      for await (const record of records) {
        requireImageSize(record, 'its width and height go into the COCO file');
        await out.write((images === 0 ? '' : ', ') + pyJson(cocoImage(record)));
        images++;
        for (const item of record.items) {
          annotations++;
          const text = pyJson(cocoAnnotation(record, item, annotations, options), FLOAT_KEYS);
          await spool.write((annotations === 1 ? '' : ', ') + text);
        }
      }
      await out.write('], "annotations": [');
      for await (const chunk of spool.readBack()) await out.write(chunk);
      await out.write(`], "categories": ${pyJson(cocoCategories())}}`);
      return { images, annotations };
    } finally {
      await spool.remove();
    }
  });
}

/**
 * The image-info file of a split of images only (the test split): COCO
 * `images` with ids and sizes, and `categories`, without annotations, as
 * COCO's test-dev image info is. Detectors read it to know which images to
 * run on and their sizes.
 *
 * @example
 * await writeCocoImageInfo(readSplitImages('data/test'), 'test-image-info.json');
 */
export async function writeCocoImageInfo(images: AsyncIterable<SplitImage>, target: string): Promise<CocoWriteSummary> {
  return withAtomicWriter(target, async (out) => {
    let count = 0;
    await out.write('{"info": {}, "licenses": [], "images": [');
    for await (const image of images) {
      await out.write((count === 0 ? '' : ', ') + pyJson(cocoImage(image)));
      count++;
    }
    await out.write(`], "categories": ${pyJson(cocoCategories())}}`);
    return { images: count, annotations: 0 };
  });
}
