/**
 * Per-image match records, for drawing errors and browsing: for every
 * (image, category) with ground truth or detections, the detections kept
 * (cut to the largest maxDets, in score order) with what they matched at IoU
 * .50 and .75, and the ground truth with whether it was found. Area range
 * "all". Plain typed arrays, so that they can cross threads; matchesOfImage
 * turns one image's part into objects.
 */
import { f64, i32, u8 } from './columns.js';

export interface CocoMatchRecords {
  /** Cells are ordered by category id, then image id. */
  readonly cellImageId: Float64Array;
  readonly cellCategoryId: Float64Array;
  /** Detections of cell c are [cellDetStart[c], cellDetStart[c + 1]). */
  readonly cellDetStart: Int32Array;
  readonly cellGtStart: Int32Array;
  /** Index of the detection in the results file (its id is index + 1). */
  readonly detResultIndex: Int32Array;
  readonly detScore: Float64Array;
  /** Annotation id matched at IoU .50 / .75, 0 if none. */
  readonly detGtId50: Float64Array;
  readonly detGtId75: Float64Array;
  /** 1 if the detection does not count (matched to an ignored ground truth). */
  readonly detIgnored50: Uint8Array;
  readonly detIgnored75: Uint8Array;
  /** Highest IoU (OKS for keypoints) with any ground truth of the cell; 0 if it has none. */
  readonly detBestIou: Float64Array;
  readonly gtAnnotationIndex: Int32Array;
  readonly gtId: Float64Array;
  readonly gtMatched50: Uint8Array;
  readonly gtMatched75: Uint8Array;
  /** 1 if the ground truth does not count (crowd, no landmarks, or outside the chosen subset). */
  readonly gtIgnored: Uint8Array;
}

export interface DetectionMatch {
  resultIndex: number;
  score: number;
  gtId50: number;
  gtId75: number;
  ignored50: boolean;
  ignored75: boolean;
  bestIou: number;
}

export interface GroundTruthMatch {
  annotationIndex: number;
  id: number;
  matched50: boolean;
  matched75: boolean;
  ignored: boolean;
}

export interface CellMatches {
  imageId: number;
  categoryId: number;
  detections: DetectionMatch[];
  groundTruth: GroundTruthMatch[];
}

/** The per-detection and per-ground-truth columns (each cell's rows are contiguous in them). */
const DETECTION_COLUMNS = ['detResultIndex', 'detScore', 'detGtId50', 'detGtId75', 'detIgnored50', 'detIgnored75', 'detBestIou'] as const;
const GROUND_TRUTH_COLUMNS = ['gtAnnotationIndex', 'gtId', 'gtMatched50', 'gtMatched75', 'gtIgnored'] as const;

export class MatchRecordWriter {
  private readonly cellImageId = f64();
  private readonly cellCategoryId = f64();
  private readonly cellDetStart = i32();
  private readonly cellGtStart = i32();
  readonly detResultIndex = i32();
  readonly detScore = f64();
  readonly detGtId50 = f64();
  readonly detGtId75 = f64();
  readonly detIgnored50 = u8();
  readonly detIgnored75 = u8();
  readonly detBestIou = f64();
  readonly gtAnnotationIndex = i32();
  readonly gtId = f64();
  readonly gtMatched50 = u8();
  readonly gtMatched75 = u8();
  readonly gtIgnored = u8();

  /** Appends cell c of other records. */
  copyCell(from: CocoMatchRecords, c: number): void {
    this.openCell(from.cellImageId[c]!, from.cellCategoryId[c]!);
    const d = from.cellDetStart[c]!;
    const nDet = from.cellDetStart[c + 1]! - d;
    for (const name of DETECTION_COLUMNS) this[name].pushFrom(from[name], d, nDet);
    const g = from.cellGtStart[c]!;
    const nGt = from.cellGtStart[c + 1]! - g;
    for (const name of GROUND_TRUTH_COLUMNS) this[name].pushFrom(from[name], g, nGt);
  }

  /** Opens a cell; its detections and ground truth are pushed next. */
  openCell(imageId: number, categoryId: number): void {
    this.cellImageId.push(imageId);
    this.cellCategoryId.push(categoryId);
    this.cellDetStart.push(this.detResultIndex.length);
    this.cellGtStart.push(this.gtId.length);
  }

  finish(): CocoMatchRecords {
    this.cellDetStart.push(this.detResultIndex.length);
    this.cellGtStart.push(this.gtId.length);
    return {
      cellImageId: this.cellImageId.finish(),
      cellCategoryId: this.cellCategoryId.finish(),
      cellDetStart: this.cellDetStart.finish(),
      cellGtStart: this.cellGtStart.finish(),
      detResultIndex: this.detResultIndex.finish(),
      detScore: this.detScore.finish(),
      detGtId50: this.detGtId50.finish(),
      detGtId75: this.detGtId75.finish(),
      detIgnored50: this.detIgnored50.finish(),
      detIgnored75: this.detIgnored75.finish(),
      detBestIou: this.detBestIou.finish(),
      gtAnnotationIndex: this.gtAnnotationIndex.finish(),
      gtId: this.gtId.finish(),
      gtMatched50: this.gtMatched50.finish(),
      gtMatched75: this.gtMatched75.finish(),
      gtIgnored: this.gtIgnored.finish(),
    };
  }
}

/** Cell c as objects. */
export function cellMatches(records: CocoMatchRecords, c: number): CellMatches {
  const detections: DetectionMatch[] = [];
  for (let i = records.cellDetStart[c]!; i < records.cellDetStart[c + 1]!; i++) {
    detections.push({
      resultIndex: records.detResultIndex[i]!,
      score: records.detScore[i]!,
      gtId50: records.detGtId50[i]!,
      gtId75: records.detGtId75[i]!,
      ignored50: records.detIgnored50[i] === 1,
      ignored75: records.detIgnored75[i] === 1,
      bestIou: records.detBestIou[i]!,
    });
  }
  const groundTruth: GroundTruthMatch[] = [];
  for (let i = records.cellGtStart[c]!; i < records.cellGtStart[c + 1]!; i++) {
    groundTruth.push({
      annotationIndex: records.gtAnnotationIndex[i]!,
      id: records.gtId[i]!,
      matched50: records.gtMatched50[i] === 1,
      matched75: records.gtMatched75[i] === 1,
      ignored: records.gtIgnored[i] === 1,
    });
  }
  return { imageId: records.cellImageId[c]!, categoryId: records.cellCategoryId[c]!, detections, groundTruth };
}

/** Every cell of one image (one per category present), as objects. */
export function matchesOfImage(records: CocoMatchRecords, imageId: number): CellMatches[] {
  const out: CellMatches[] = [];
  for (let c = 0; c < records.cellImageId.length; c++) if (records.cellImageId[c] === imageId) out.push(cellMatches(records, c));
  return out;
}

/** Records of several parts joined in category order (each part holds the cells of its own categories). */
export function mergeMatchRecords(byCategory: readonly { categoryId: number; records: CocoMatchRecords | null }[]): CocoMatchRecords {
  const out = new MatchRecordWriter();
  for (const { categoryId, records } of byCategory) {
    if (!records) continue;
    for (let c = 0; c < records.cellCategoryId.length; c++) if (records.cellCategoryId[c] === categoryId) out.copyCell(records, c);
  }
  return out.finish();
}
