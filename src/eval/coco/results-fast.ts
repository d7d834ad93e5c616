/**
 * The fast path of the results reader (results.ts), shared by the thread
 * that reads a file from its start and the one that reads its second half
 * (results-tail.ts): one box, mask or keypoint result read from its bytes
 * into the typed columns, or declined (-1) for the JSON.parse path to read or name.
 */
import { FlatField, FlatObjectReader } from '../../json/flat-object.js';
import type { Rle } from '../../mask/index.js';
import { measureRuns, rleRunsFromJsonBytes } from '../../mask/internal.js';
import { KEYPOINT_VECTOR_LENGTH, TOTAL_LANDMARKS } from '../../schema/index.js';
import { type Column, f64, u8 } from './columns.js';
import { type LandmarkWindows, LandmarkWindowWriter, emptyLandmarkWindows } from './landmark-windows.js';
import { type MaskStore, MaskStoreWriter } from './mask-store.js';

/** Where a result's mask comes from, until the image sizes are known. */
export const enum MaskSource {
  /** Decoded RLE in the store. */
  Decoded = 0,
  /** The box as a polygon (box results without a segmentation). */
  Box = 1,
  /** A polygon list or uncompressed RLE, decoded at link time. */
  Pending = 2,
}

/** The columns every result fills, as the reader appends to them. */
export class ResultColumns {
  readonly imageId = f64();
  readonly categoryId = f64();
  readonly score = f64();
  readonly area = f64();
  readonly bbox: Column<Float64Array> = f64(4096);
  readonly keypoints = new LandmarkWindowWriter();
  /** segm task: one mask per result (a placeholder where maskSource is not Decoded). */
  readonly masks = new MaskStoreWriter();
  readonly maskSource = u8();

  get count(): number {
    return this.imageId.length;
  }

  /**
   * Makes room for `n` results in all in the columns this reading fills, so
   * that a large file's columns are allocated once instead of doubling
   * (each doubling a new shared buffer, a copy and pages written again).
   */
  reserve(n: number, read: FastReadOptions): void {
    for (const column of [this.imageId, this.categoryId, this.score, this.area]) column.reserve(n);
    this.bbox.reserve(4 * n);
    if (read.keepKeypoints) this.keypoints.reserve(n);
    if (read.keepMasks) {
      this.masks.reserve(n);
      this.maskSource.reserve(n);
    }
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
      masks: this.masks.finish(),
      maskSource: this.maskSource.finish(),
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
    this.masks.appendStore(part.masks);
    this.maskSource.pushFrom(part.maskSource, 0, part.maskSource.length);
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
  masks: MaskStore;
  maskSource: Uint8Array;
}

/** What a fast reader reads, as the file's first result and the tasks decided. */
export interface FastReadOptions {
  /** The kind the file's first result decided. */
  kind: 'box' | 'mask' | 'keypoints';
  /** The keypoints task reads this file: landmarks are checked and kept. */
  keepKeypoints: boolean;
  /** The segm task reads this file: masks are kept (a box result's segmentation is read). */
  keepMasks: boolean;
  /** The bbox task reads this file: a mask result without a box gets its mask's. */
  keepBoxes: boolean;
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
/** A compressed RLE's keys, read by the segmentation's nested reader. */
const RLE_KEYS = ['size', 'counts'];
const SIZE = 0,
  COUNTS = 1;
const NO_BOX = [NaN, NaN, NaN, NaN];

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
 * Reads box, mask or keypoint results (the kind the file's first result
 * decided) from their bytes into `columns`. `read` returns the offset after
 * the result, or -1, before appending anything, for whatever it does not read
 * exactly as the JSON.parse path would: any missing, non-finite or misshapen
 * value, a compressed RLE that is not one, a segmentation of another form
 * (polygons, uncompressed RLE), which that path keeps for later.
 */
export class FastResultReader {
  private readonly flat: FlatObjectReader;
  private readonly rle = new FlatObjectReader(RLE_KEYS);
  private readonly extents = new Float64Array(4);
  /** Where a mask that is not kept is decoded (the bbox task of mask results). */
  private scratch = new Uint32Array(1024);
  /** The box and area of the mask just decoded (rleToBbox, rleArea). */
  private readonly maskBox = new Float64Array(4);
  private maskArea = 0;
  private readonly readsSegmentation: boolean;
  /** Whether the columns were sized from the first result yet. */
  private sized = false;

  constructor(
    private readonly options: FastReadOptions,
    private readonly columns: ResultColumns,
    /** The bytes of results this reader will read about (a hint for sizing the columns once), if known. */
    private readonly expectedBytes = 0,
  ) {
    this.readsSegmentation = options.kind === 'mask' || options.keepMasks;
    this.flat = this.readsSegmentation ? new FlatObjectReader([...FLAT_KEYS, 'segmentation'], { segmentation: this.rle }) : new FlatObjectReader(FLAT_KEYS);
  }

  read(bytes: Uint8Array, start: number, limit: number): number {
    const flat = this.flat;
    const end = flat.read(bytes, start, limit);
    if (end < 0) return -1;
    if (!this.sized) this.sizeColumns(end - start);
    const field = flat.field;
    const value = flat.value;
    if (field[IMAGE_ID] !== FlatField.Number || field[CATEGORY_ID] !== FlatField.Number || field[SCORE] !== FlatField.Number) return -1;
    // A non-finite number (rare: 1e400) sends the whole result to the JSON.parse path, which names it.
    if (!flat.allFinite) return -1;
    const numbers = flat.numbers;
    const kpStart = flat.start[KEYPOINTS]!;
    const { kind, keepKeypoints, keepMasks } = this.options;
    if (keepKeypoints || kind === 'keypoints') {
      if (field[KEYPOINTS] !== FlatField.Array || flat.length[KEYPOINTS] !== KEYPOINT_VECTOR_LENGTH) return -1;
    }
    // A box result's own box, a mask result's given one (an empty list or none: the mask's).
    const boxStart = flat.start[BBOX]!;
    const boxGiven = field[BBOX] === FlatField.Array && flat.length[BBOX] !== 0;
    if (kind === 'box' || (kind === 'mask' && field[BBOX] !== FlatField.Absent && (field[BBOX] !== FlatField.Array || flat.length[BBOX] !== 0))) {
      if (!boxGiven || flat.length[BBOX] !== 4) return -1;
      if (numbers[boxStart + 2]! < 0 || numbers[boxStart + 3]! < 0) return -1;
    }
    // The mask: decoded last, as it is the one step that appends before it can decline.
    let mask: Rle | null = null;
    if (this.readsSegmentation) {
      if (field[SEGMENTATION] === FlatField.Object) {
        mask = this.decodeMask(bytes, keepMasks);
        if (!mask) return -1;
      } else if (kind !== 'box' || field[SEGMENTATION] !== FlatField.Absent) return -1;
    }
    const columns = this.columns;
    columns.imageId.push(value[IMAGE_ID]!);
    columns.categoryId.push(value[CATEGORY_ID]!);
    columns.score.push(value[SCORE]!);
    if (keepKeypoints) columns.keypoints.append(numbers, kpStart);
    if (kind === 'box') {
      columns.bbox.pushFrom(numbers, boxStart, 4);
      columns.area.push(numbers[boxStart + 2]! * numbers[boxStart + 3]!);
    } else if (kind === 'mask') {
      columns.area.push(this.maskArea);
      if (boxGiven) columns.bbox.pushFrom(numbers, boxStart, 4);
      else columns.bbox.pushFrom(this.options.keepBoxes ? this.maskBox : NO_BOX, 0, 4);
    } else {
      keypointExtents(numbers, kpStart, this.extents);
      columns.pushExtentsBox(this.extents);
    }
    if (keepMasks) {
      if (mask) columns.maskSource.push(MaskSource.Decoded);
      else {
        columns.masks.appendPlaceholder();
        columns.maskSource.push(MaskSource.Box);
      }
    }
    return end;
  }

  /** Sizes the columns for as many results as the expected bytes hold at the first result's length, and a quarter more. */
  private sizeColumns(firstBytes: number): void {
    this.sized = true;
    if (this.expectedBytes > 0) this.columns.reserve(this.columns.count + Math.ceil((1.25 * this.expectedBytes) / Math.max(firstBytes, 16)), this.options);
  }

  /** The segmentation just read as a compressed RLE, decoded into the mask store (`keep`) or scratch; null if it is not one. */
  private decodeMask(bytes: Uint8Array, keep: boolean): Rle | null {
    const rle = this.rle;
    if (rle.field[SIZE] !== FlatField.Array || rle.length[SIZE] !== 2 || rle.field[COUNTS] !== FlatField.String) return null;
    const height = rle.numbers[rle.start[SIZE]!]!;
    const width = rle.numbers[rle.start[SIZE]! + 1]!;
    const from = rle.start[COUNTS]!;
    const to = from + rle.length[COUNTS]!;
    if (keep) {
      const masks = this.columns.masks;
      const mask = masks.appendDecoded(height, width, to - from, (target, at) => rleRunsFromJsonBytes(bytes, from, to, height, width, target, at));
      this.maskBox.set(masks.lastBox);
      this.maskArea = masks.lastArea;
      return mask;
    }
    if (this.scratch.length < to - from) this.scratch = new Uint32Array(Math.max(to - from, 2 * this.scratch.length));
    const n = rleRunsFromJsonBytes(bytes, from, to, height, width, this.scratch, 0);
    if (n < 0) return null;
    this.maskArea = measureRuns(this.scratch, 0, n, height, width, this.maskBox, 0);
    return { height, width, counts: this.scratch.subarray(0, n) };
  }
}
