/**
 * The fast path of the results reader (results.ts), shared by the thread
 * that reads a file from its start and the one that reads its second half
 * (results-tail.ts): one box or keypoint result read from its bytes into the
 * typed columns, or declined (-1) for the JSON.parse path to read or name.
 */
import { FlatField, FlatObjectReader } from '../../json/flat-object.js';
import { KEYPOINT_VECTOR_LENGTH, TOTAL_LANDMARKS } from '../../schema/index.js';
import { type Column, f64 } from './columns.js';
import { type LandmarkWindows, LandmarkWindowWriter, emptyLandmarkWindows } from './landmark-windows.js';

/** The columns every result fills, as the reader appends to them. */
export class ResultColumns {
  readonly imageId = f64();
  readonly categoryId = f64();
  readonly score = f64();
  readonly area = f64();
  readonly bbox: Column<Float64Array> = f64(4096);
  readonly keypoints = new LandmarkWindowWriter();

  get count(): number {
    return this.imageId.length;
  }

  /** The columns as exact-size shared arrays (keypoints only when kept). */
  finish(keepKeypoints: boolean): FinishedResultColumns {
    return {
      count: this.count,
      imageId: this.imageId.finish(),
      categoryId: this.categoryId.finish(),
      score: this.score.finish(),
      area: this.area.finish(),
      bbox: this.bbox.finish(),
      keypoints: keepKeypoints ? this.keypoints.finish() : emptyLandmarkWindows(),
    };
  }

  /** Box and area of a keypoint result: those of the extents of its landmarks (min x, min y, max x, max y; keypointExtents). */
  pushExtentsBox(extents: Float64Array): void {
    const minX = extents[0]!,
      minY = extents[1]!,
      maxX = extents[2]!,
      maxY = extents[3]!;
    this.area.push((maxX - minX) * (maxY - minY));
    this.bbox.push(minX);
    this.bbox.push(minY);
    this.bbox.push(maxX - minX);
    this.bbox.push(maxY - minY);
  }

  /** Appends finished columns (read by another thread) after these. */
  appendFinished(part: FinishedResultColumns, keepKeypoints: boolean): void {
    this.imageId.pushFrom(part.imageId, 0, part.count);
    this.categoryId.pushFrom(part.categoryId, 0, part.count);
    this.score.pushFrom(part.score, 0, part.count);
    this.area.pushFrom(part.area, 0, part.count);
    this.bbox.pushFrom(part.bbox, 0, 4 * part.count);
    if (keepKeypoints) this.keypoints.appendWindows(part.keypoints);
  }
}

export interface FinishedResultColumns {
  count: number;
  imageId: Float64Array;
  categoryId: Float64Array;
  score: Float64Array;
  area: Float64Array;
  bbox: Float64Array;
  keypoints: LandmarkWindows;
}

/** The keys the fast path reads, and their places in FlatObjectReader's fields. */
const FLAT_KEYS = ['image_id', 'category_id', 'score', 'bbox', 'keypoints'];
const IMAGE_ID = 0,
  CATEGORY_ID = 1,
  SCORE = 2,
  BBOX = 3,
  KEYPOINTS = 4;
/** Where FLAT_KEYS + ['segmentation'] puts the segmentation. */
const SEGMENTATION = 5;

/**
 * Writes into `out` the extents of the x and y of a keypoint vector (294
 * x, y, v triples from `from`): min x, min y, max x, max y.
 */
export function keypointExtents(numbers: ArrayLike<number>, from: number, out: Float64Array): void {
  let minX = Infinity,
    minY = Infinity,
    maxX = -Infinity,
    maxY = -Infinity;
  for (let k = 0; k < TOTAL_LANDMARKS; k++) {
    const x = numbers[from + 3 * k]!;
    const y = numbers[from + 3 * k + 1]!;
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  out[0] = minX;
  out[1] = minY;
  out[2] = maxX;
  out[3] = maxY;
}

/**
 * Reads box or keypoint results (the kind the file's first result decided)
 * from their bytes into `columns`. `read` returns the offset after the
 * result, or -1, before appending anything, for whatever it does not read
 * exactly as the JSON.parse path would: any missing, non-finite or misshapen
 * value, or (`segmentationDeclines`) a segmentation, which that path keeps.
 */
export class FastResultReader {
  private readonly flat: FlatObjectReader;
  private readonly extents = new Float64Array(4);

  constructor(
    private readonly kind: 'box' | 'keypoints',
    /** The keypoints task reads this file: landmarks are checked and kept. */
    private readonly keepKeypoints: boolean,
    private readonly columns: ResultColumns,
    private readonly segmentationDeclines = false,
  ) {
    this.flat = new FlatObjectReader(segmentationDeclines ? [...FLAT_KEYS, 'segmentation'] : FLAT_KEYS);
  }

  read(bytes: Uint8Array, start: number, limit: number): number {
    const flat = this.flat;
    const end = flat.read(bytes, start, limit);
    if (end < 0) return -1;
    const field = flat.field;
    const value = flat.value;
    if (field[IMAGE_ID] !== FlatField.Number || field[CATEGORY_ID] !== FlatField.Number || field[SCORE] !== FlatField.Number) return -1;
    if (!Number.isFinite(value[IMAGE_ID]!) || !Number.isFinite(value[CATEGORY_ID]!) || !Number.isFinite(value[SCORE]!)) return -1;
    if (this.segmentationDeclines && field[SEGMENTATION] !== FlatField.Absent) return -1;
    const numbers = flat.numbers;
    const kpStart = flat.start[KEYPOINTS]!;
    const kind = this.kind;
    const checkKeypoints = this.keepKeypoints || kind === 'keypoints';
    if (checkKeypoints) {
      if (field[KEYPOINTS] !== FlatField.Array || flat.length[KEYPOINTS] !== KEYPOINT_VECTOR_LENGTH) return -1;
      for (let j = kpStart; j < kpStart + KEYPOINT_VECTOR_LENGTH; j++) if (!Number.isFinite(numbers[j]!)) return -1;
    }
    const boxStart = flat.start[BBOX]!;
    if (kind === 'box') {
      if (field[BBOX] !== FlatField.Array || flat.length[BBOX] !== 4) return -1;
      for (let j = boxStart; j < boxStart + 4; j++) if (!Number.isFinite(numbers[j]!)) return -1;
      if (numbers[boxStart + 2]! < 0 || numbers[boxStart + 3]! < 0) return -1;
    }
    const columns = this.columns;
    columns.imageId.push(value[IMAGE_ID]!);
    columns.categoryId.push(value[CATEGORY_ID]!);
    columns.score.push(value[SCORE]!);
    if (this.keepKeypoints) columns.keypoints.append(numbers, kpStart);
    if (kind === 'box') {
      columns.bbox.pushFrom(numbers, boxStart, 4);
      columns.area.push(numbers[boxStart + 2]! * numbers[boxStart + 3]!);
    } else {
      keypointExtents(numbers, kpStart, this.extents);
      columns.pushExtentsBox(this.extents);
    }
    return end;
  }
}
