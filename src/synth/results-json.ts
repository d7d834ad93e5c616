/**
 * The four prediction files as streamed JSON arrays, in the layouts the
 * release's evaluation reads (detectron-style COCO results; the retrieval
 * format of the release's evaluation.md). Records are written as they are
 * made, so a validation-sized keypoint file (hundreds of MB, beyond one V8
 * string) never exists in memory.
 */
import { KEYPOINT_VECTOR_LENGTH, categoryById } from '../schema/index.js';
import { rleToString } from '../mask/index.js';
import { rleFromPolygon } from '../mask/index.js';
import { rleMerge } from '../mask/index.js';
import { AtomicWriter } from '../util/atomic.js';
import { round, type Detection } from './predictions.js';
import type { RetrievalResult } from './retrieval.js';

/** A JSON array written element by element to an AtomicWriter (committed on close). */
export class JsonArrayWriter {
  private count = 0;

  private constructor(private readonly out: AtomicWriter) {}

  static async open(file: string): Promise<JsonArrayWriter> {
    const out = await AtomicWriter.open(file);
    await out.write('[');
    return new JsonArrayWriter(out);
  }

  get length(): number {
    return this.count;
  }

  /** Appends one element given as JSON text. */
  async push(json: string): Promise<void> {
    const chunk = this.count === 0 ? json : `, ${json}`;
    this.count++;
    await this.out.write(chunk);
  }

  async close(): Promise<void> {
    await this.out.write(']');
    await this.out.commit();
  }

  async abort(): Promise<void> {
    await this.out.abort();
  }
}

const list = (values: readonly number[]): string => `[${values.join(', ')}]`;

/** [x, y, w, h] with 4 decimals, as detectron prints boxes. */
export function bboxResultJson(d: Detection): string {
  const [x1, y1, x2, y2] = d.box;
  const box = [round(x1, 4), round(y1, 4), round(x2 - x1, 4), round(y2 - y1, 4)];
  return `{"image_id": ${d.imageId}, "category_id": ${d.categoryId}, "bbox": ${list(box)}, "score": ${d.score}}`;
}

/** The mask as a compressed COCO RLE string of the whole image. */
export function segmResultJson(d: Detection, width: number, height: number): string {
  const rle = rleMerge(d.polygons.map((polygon) => rleFromPolygon(polygon, height, width)));
  const counts = JSON.stringify(rleToString(rle));
  return (
    `{"image_id": ${d.imageId}, "category_id": ${d.categoryId}, ` + `"segmentation": {"size": [${height}, ${width}], "counts": ${counts}}, "score": ${d.score}}`
  );
}

/** The 294-landmark vector: this category's landmarks at its offset, zeros elsewhere. */
export function keypointsResultJson(d: Detection): string {
  const category = categoryById(d.categoryId);
  if (!category) throw new Error(`no category ${d.categoryId}`);
  const vector = new Array<number>(KEYPOINT_VECTOR_LENGTH).fill(0);
  for (let i = 0; i < d.landmarks.length; i++) vector[3 * category.offset + i] = round(d.landmarks[i]!, 3);
  return `{"image_id": ${d.imageId}, "category_id": ${d.categoryId}, "keypoints": ${list(vector)}, "score": ${d.score}}`;
}

export function retrievalResultJson(r: RetrievalResult): string {
  return (
    `{"query_image_id": ${r.queryImageId}, "query_bbox": ${list(r.queryBox)}, "query_cls": ${r.queryClass}, ` +
    `"query_score": ${r.queryScore}, "gallery_image_id": ${list(r.galleryImageIds)}, ` +
    `"gallery_bbox": [${r.galleryBoxes.map(list).join(', ')}]}`
  );
}
