/**
 * Where resamples come from: drawn from df2's seeded generator, or read
 * from a file (a JSON array of image-id lists, as `resamples` in the golden
 * files), and written out in that form so that another evaluator can be fed
 * the same lists.
 *
 * A drawn resample is n image ranks, each uniform over the n evaluated
 * images, from the stream Random.from(seed, STREAM.bootstrap, index): list
 * i does not depend on how many lists are drawn.
 */
import { streamJson } from '../../json/stream.js';
import { AtomicWriter } from '../../util/atomic.js';
import { InputError, describe } from '../../util/errors.js';
import { Random, STREAM } from '../../util/random.js';

/** Resample `index` of a seed: n image ranks drawn with replacement. */
export function drawResample(n: number, seed: number, index: number, out = new Int32Array(n)): Int32Array {
  const random = Random.from(seed, STREAM.bootstrap, index);
  for (let j = 0; j < n; j++) out[j] = Math.floor(random.next() * n);
  return out;
}

/**
 * Calls `each` with every list of a resample file, as image ranks (positions
 * in the sorted `imageIds`), while the file is read: a file of 1,000
 * validation-sized lists is never held whole. Every id must be an image of
 * the ground truth. Returns the number of lists.
 */
export async function forEachResampleInFile(file: string, imageIds: readonly number[], each: (ranks: Int32Array, index: number) => void): Promise<number> {
  const rankOf = new Map(imageIds.map((id, r) => [id, r]));
  let lists = 0;
  const summary = await streamJson(file, {
    onElement(key, index, value) {
      if (key !== null) throw new InputError(file, '', 'a JSON array of image-id lists', 'an object');
      if (!Array.isArray(value) || value.length === 0) throw new InputError(file, `[${index}]`, 'a non-empty list of image ids', describe(value));
      const ranks = new Int32Array(value.length);
      value.forEach((id: unknown, j) => {
        const r = typeof id === 'number' ? rankOf.get(id) : undefined;
        if (r === undefined) throw new InputError(file, `[${index}][${j}]`, 'an image id of the ground truth', describe(id));
        ranks[j] = r;
      });
      each(ranks, index);
      lists++;
    },
    onValue() {
      throw new InputError(file, '', 'a JSON array of image-id lists', 'an object');
    },
  });
  if (summary.topLevel !== 'array') throw new InputError(file, '', 'a JSON array of image-id lists', 'an object');
  if (lists === 0) throw new InputError(file, '', 'at least one list of image ids', 'an empty array');
  return lists;
}

/**
 * Writes resamples as a JSON array of image-id lists, one list per line
 * (written to a temporary file, renamed when complete).
 */
export class ResampleFileWriter {
  private count = 0;
  private constructor(private readonly out: AtomicWriter) {}

  static async open(file: string): Promise<ResampleFileWriter> {
    const out = await AtomicWriter.open(file);
    await out.write('[');
    return new ResampleFileWriter(out);
  }

  async add(ranks: ArrayLike<number>, imageIds: readonly number[]): Promise<void> {
    const ids = new Array<number>(ranks.length);
    for (let j = 0; j < ranks.length; j++) ids[j] = imageIds[ranks[j]!]!;
    await this.out.write(`${this.count++ === 0 ? '' : ','}\n${JSON.stringify(ids)}`);
  }

  async commit(): Promise<void> {
    await this.out.write('\n]\n');
    await this.out.commit();
  }

  async abort(): Promise<void> {
    await this.out.abort();
  }
}
