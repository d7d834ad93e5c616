/**
 * Larger inputs for the benchmark, derived from the synthetic validation
 * case and written once:
 * - a keypoint results file of ~0.6 GB, past V8's string limit, like the
 *   official one for this many detections (a detector writes all 294
 *   landmarks of every detection, with three decimals);
 * - a train-sized COCO ground truth (several GB): the validation ground
 *   truth repeated with new image and annotation ids.
 */
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { pyJson } from '../convert/internal.js';
import { streamJson } from '../json/stream.js';
import { TOTAL_LANDMARKS } from '../schema/index.js';
import { type AtomicWriter, withAtomicWriter } from '../util/atomic.js';

/** Buffers small writes into ~4 MB chunks. */
class Batched {
  private parts: string[] = [];
  private size = 0;
  constructor(private readonly out: AtomicWriter) {}
  async write(text: string): Promise<void> {
    this.parts.push(text);
    this.size += text.length;
    if (this.size > 4 << 20) await this.flush();
  }
  async flush(): Promise<void> {
    if (this.parts.length === 0) return;
    const text = this.parts.join('');
    this.parts = [];
    this.size = 0;
    await this.out.write(text);
  }
}

interface KeypointResult {
  image_id: number;
  category_id: number;
  keypoints: number[];
  score: number;
}

/** Every landmark given a position (unlabelled ones near the others), all written with three decimals. */
export async function writeWideKeypointResults(source: string, target: string): Promise<void> {
  const results: KeypointResult[] = [];
  // The synthetic file is small enough to hold; the wide one is streamed out.
  await streamJson(source, { onElement: (_key, _i, value) => void results.push(value as KeypointResult) });
  await withAtomicWriter(target, async (out) => {
    const batched = new Batched(out);
    for (let i = 0; i < results.length; i++) {
      const r = results[i]!;
      const kps = r.keypoints;
      let cx = 0,
        cy = 0,
        n = 0;
      for (let k = 0; k < TOTAL_LANDMARKS; k++) {
        if (kps[3 * k] !== 0 || kps[3 * k + 1] !== 0) {
          cx += kps[3 * k]!;
          cy += kps[3 * k + 1]!;
          n++;
        }
      }
      cx = n ? cx / n : 100;
      cy = n ? cy / n : 100;
      const values: string[] = [];
      for (let k = 0; k < TOTAL_LANDMARKS; k++) {
        let x = kps[3 * k]!,
          y = kps[3 * k + 1]!;
        if (x === 0 && y === 0) {
          x = cx + (((k * 7919) % 1000) - 500) / 10;
          y = cy + (((k * 104729) % 1000) - 500) / 10;
        }
        values.push((x + 0.0001 * (k % 9)).toFixed(3), (y + 0.0001 * (k % 7)).toFixed(3), '1');
      }
      await batched.write(
        `${i === 0 ? '[' : ', '}{"image_id": ${r.image_id}, "category_id": ${r.category_id}, "keypoints": [${values.join(', ')}], "score": ${r.score}}`,
      );
    }
    await batched.write(']');
    await batched.flush();
  });
}

/**
 * The ground truth `copies` times: copy c has image ids + c * stride and
 * fresh annotation ids, so copy 0 keeps the original ids (results of the
 * original still apply). Written as Python's json.dump writes (keypoints as
 * floats), like the release's converter, so the size is the real one.
 * Writes are synchronous: streamJson's handlers are, and memory stays at one
 * element's copies.
 */
export async function writeRepeatedGroundTruth(source: string, target: string, copies: number): Promise<void> {
  const images: Record<string, unknown>[] = [];
  const categories: unknown[] = [];
  let maxImageId = 0;
  await streamJson(source, {
    onElement(key, _i, value) {
      if (key === 'images') {
        const image = value as Record<string, unknown>;
        images.push(image);
        maxImageId = Math.max(maxImageId, image.id as number);
      } else if (key === 'categories') {
        categories.push(value);
      }
    },
  });
  const stride = 10 ** Math.ceil(Math.log10(maxImageId + 1));
  const tmp = `${target}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  let buffered: string[] = [];
  let size = 0;
  const write = (text: string): void => {
    buffered.push(text);
    size += text.length;
    if (size > 4 << 20) flush();
  };
  const flush = (): void => {
    writeSync(fd, buffered.join(''));
    buffered = [];
    size = 0;
  };
  let complete = false;
  try {
    write('{"info": {}, "licenses": [], "images": [');
    let first = true;
    for (let c = 0; c < copies; c++) {
      for (const image of images) {
        write(`${first ? '' : ', '}${pyJson({ ...image, id: (image.id as number) + c * stride })}`);
        first = false;
      }
    }
    write('], "annotations": [');
    let nextId = 1;
    first = true;
    await streamJson(source, {
      onElement(key, _i, value) {
        if (key !== 'annotations') return;
        const ann = value as Record<string, unknown>;
        for (let c = 0; c < copies; c++) {
          write(`${first ? '' : ', '}${pyJson({ ...ann, id: nextId++, image_id: (ann.image_id as number) + c * stride }, FLOAT_KEYS)}`);
          first = false;
        }
      },
    });
    write(`], "categories": ${pyJson(categories)}}`);
    flush();
    complete = true;
  } finally {
    closeSync(fd);
    if (!complete) rmSync(tmp, { force: true });
  }
  renameSync(tmp, target);
}

const FLOAT_KEYS = new Set(['keypoints']);
