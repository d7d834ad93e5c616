/**
 * Retrieval results held compactly: one row per detected query item in flat
 * typed arrays (a validation-sized file has tens of thousands of rows with 20
 * retrieved boxes each; as objects that would be millions of small arrays).
 * Rows keep file order, which decides ties between equal scores.
 */
import { MAX_RETRIEVED, parseRetrievalResult, type Corners, type RetrievalResultRecord } from '../../schema/index.js';
import { type JsonSource, jsonSourceName } from '../../json/source.js';
import { readArrayFile, type ReadArrayOptions } from './read-array.js';

export interface ResultTable {
  file: string;
  count: number;
  queryImageIds: Float64Array;
  queryClasses: Float64Array;
  queryScores: Float64Array;
  /** Corners of row r's detected box at [4r, 4r+4). */
  queryBoxes: Float64Array;
  /** Number of retrieved items of row r (0..MAX_RETRIEVED). */
  retrievedCounts: Uint8Array;
  /** Retrieved shop image of row r at rank t (0-based) at [r*MAX_RETRIEVED + t]. */
  galleryImageIds: Float64Array;
  /** Corners of the retrieved box of row r at rank t at [(r*MAX_RETRIEVED + t) * 4, +4). */
  galleryBoxes: Float64Array;
  /** Rows that retrieved fewer than MAX_RETRIEVED items (missing ranks are never a hit). */
  shortLists: number;
}

/** Collects rows into growing typed arrays. */
export class ResultTableBuilder {
  private capacity = 0;
  private count = 0;
  private shortLists = 0;
  private queryImageIds: Float64Array = new Float64Array(0);
  private queryClasses: Float64Array = new Float64Array(0);
  private queryScores: Float64Array = new Float64Array(0);
  private queryBoxes: Float64Array = new Float64Array(0);
  private retrievedCounts: Uint8Array = new Uint8Array(0);
  private galleryImageIds: Float64Array = new Float64Array(0);
  private galleryBoxes: Float64Array = new Float64Array(0);

  constructor(initialCapacity = 1024) {
    this.grow(Math.max(1, initialCapacity));
  }

  private grow(capacity: number): void {
    const kept = this.count;
    const f64 = (old: Float64Array, perRow: number): Float64Array => {
      const next = new Float64Array(capacity * perRow);
      next.set(old.subarray(0, kept * perRow));
      return next;
    };
    this.queryImageIds = f64(this.queryImageIds, 1);
    this.queryClasses = f64(this.queryClasses, 1);
    this.queryScores = f64(this.queryScores, 1);
    this.queryBoxes = f64(this.queryBoxes, 4);
    this.galleryImageIds = f64(this.galleryImageIds, MAX_RETRIEVED);
    this.galleryBoxes = f64(this.galleryBoxes, MAX_RETRIEVED * 4);
    const counts = new Uint8Array(capacity);
    counts.set(this.retrievedCounts.subarray(0, kept));
    this.retrievedCounts = counts;
    this.capacity = capacity;
  }

  /** Appends a validated record (at most MAX_RETRIEVED retrieved items). */
  add(record: RetrievalResultRecord): void {
    if (this.count === this.capacity) this.grow(this.capacity * 2);
    const r = this.count++;
    const n = record.galleryImageIds.length;
    this.queryImageIds[r] = record.queryImageId;
    this.queryClasses[r] = record.queryCls;
    this.queryScores[r] = record.queryScore;
    this.queryBoxes.set(record.queryBbox, r * 4);
    this.retrievedCounts[r] = n;
    for (let t = 0; t < n; t++) {
      this.galleryImageIds[r * MAX_RETRIEVED + t] = record.galleryImageIds[t]!;
      this.galleryBoxes.set(record.galleryBboxes[t]!, (r * MAX_RETRIEVED + t) * 4);
    }
    if (n < MAX_RETRIEVED) this.shortLists++;
  }

  finish(file = '(results)'): ResultTable {
    const n = this.count;
    return {
      file,
      count: n,
      queryImageIds: this.queryImageIds.subarray(0, n),
      queryClasses: this.queryClasses.subarray(0, n),
      queryScores: this.queryScores.subarray(0, n),
      queryBoxes: this.queryBoxes.subarray(0, n * 4),
      retrievedCounts: this.retrievedCounts.subarray(0, n),
      galleryImageIds: this.galleryImageIds.subarray(0, n * MAX_RETRIEVED),
      galleryBoxes: this.galleryBoxes.subarray(0, n * MAX_RETRIEVED * 4),
      shortLists: this.shortLists,
    };
  }
}

export function buildResultTable(records: readonly RetrievalResultRecord[], file = '(results)'): ResultTable {
  const builder = new ResultTableBuilder(records.length);
  for (const record of records) builder.add(record);
  return builder.finish(file);
}

/** Streams and validates a results file into a ResultTable. */
export async function loadResults(source: JsonSource, options: ReadArrayOptions = {}): Promise<ResultTable> {
  const builder = new ResultTableBuilder();
  await readArrayFile(source, 'retrieval results', parseRetrievalResult, (record) => builder.add(record), options);
  return builder.finish(jsonSourceName(source));
}

/** Row r back as a record (for drawing retrieval strips or reports). */
export function resultRecord(table: ResultTable, r: number): RetrievalResultRecord {
  const n = table.retrievedCounts[r]!;
  const corners = (a: Float64Array, i: number): Corners => [a[i]!, a[i + 1]!, a[i + 2]!, a[i + 3]!];
  const galleryImageIds: number[] = [];
  const galleryBboxes: Corners[] = [];
  for (let t = 0; t < n; t++) {
    galleryImageIds.push(table.galleryImageIds[r * MAX_RETRIEVED + t]!);
    galleryBboxes.push(corners(table.galleryBoxes, (r * MAX_RETRIEVED + t) * 4));
  }
  return {
    queryImageId: table.queryImageIds[r]!,
    queryBbox: corners(table.queryBoxes, r * 4),
    queryCls: table.queryClasses[r]!,
    queryScore: table.queryScores[r]!,
    galleryImageIds,
    galleryBboxes,
  };
}
