/**
 * Evaluating one category, cell by cell (one image's ground truth and
 * detections of that category): similarities, matching at every area range and
 * IoU threshold, and the per-image match records. Buffers are reused across
 * cells; similarity matrices are cached per loaded results so that evaluating
 * the same data again (per attribute) does not recompute them.
 */
import type { CategoryMatches } from './accumulate.js';
import type { CocoGroundTruth } from './ground-truth.js';
import { type CellMatch, CellMatcher, createCellMatch } from './match.js';
import type { MatchRecordWriter } from './matches.js';
import { stableOrderByDescending } from './numeric.js';
import { type CocoEvalParams, type CocoTask, thresholdIndex } from './params.js';
import type { Groups } from './plan.js';
import type { CocoResults } from './results.js';
import { SimilarityComputer } from './similarity.js';

/**
 * Similarity matrices per (category, image) of one results set against one
 * ground truth: they do not depend on the options (subsets, selections), so
 * evaluating the same loaded data again (e.g. per attribute) reuses them.
 */
type SimilarityCache = Map<number, Float64Array>;
const similarityCaches = new WeakMap<CocoResults, { gt: CocoGroundTruth; task: CocoTask; cells: SimilarityCache }>();

export function similarityCache(task: CocoTask, gt: CocoGroundTruth, res: CocoResults): SimilarityCache {
  const cached = similarityCaches.get(res);
  if (cached && cached.gt === gt && cached.task === task) return cached.cells;
  const cells: SimilarityCache = new Map();
  similarityCaches.set(res, { gt, task, cells });
  return cells;
}

function sameFlags(a: Uint8Array, b: Uint8Array, n: number): boolean {
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Evaluates the cells of one category at a time; buffers are reused across cells. */
export class CellEvaluator {
  private readonly similarity: SimilarityComputer;
  private readonly matcher: CellMatcher;
  private readonly t50: number;
  private readonly t75: number;
  private readonly maxDet: number;
  private dets = new Int32Array(256);
  private detScores = new Float64Array(256);
  private order = new Int32Array(256);
  /** Per area range: the ground truth's ignore flags, and which range's matching applies. */
  private gtIgnore: Uint8Array[];
  private readonly cellMatches: CellMatch[];
  private readonly matchOf: Int32Array;
  private gtCrowd = new Uint8Array(64);
  private gtIds = new Float64Array(64);
  private dtOut = new Uint8Array(256);

  constructor(
    task: CocoTask,
    private readonly params: CocoEvalParams,
    private readonly gt: CocoGroundTruth,
    private readonly res: CocoResults,
    private readonly baseIgnore: Uint8Array,
    private readonly records: MatchRecordWriter | null,
    /** null: compute each cell's similarities and keep none (an evaluation that will not be repeated). */
    private readonly similarities: SimilarityCache | null,
    /**
     * Match records carry the annotation index + 1 instead of its id: a
     * resampled copy of the ground truth (bootstrap) gets fresh non-zero ids,
     * so a ground truth with id 0 (which reads as unmatched) must not count.
     */
    private readonly freshGtIds = false,
  ) {
    this.similarity = new SimilarityComputer(task, gt, res);
    this.matcher = new CellMatcher(params.iouThrs);
    this.t50 = thresholdIndex(params, 0.5);
    this.t75 = thresholdIndex(params, 0.75);
    this.maxDet = params.maxDets[params.maxDets.length - 1]!;
    this.gtIgnore = params.areaRanges.map(() => new Uint8Array(64));
    this.cellMatches = params.areaRanges.map(() => createCellMatch());
    this.matchOf = new Int32Array(params.areaRanges.length);
  }

  /** cacheKey(r): the similarity-cache key of the cell of image rank r (-1: do not cache). */
  category(
    k: number,
    categoryId: number,
    nImages: number,
    imageIds: readonly number[],
    gtGroups: Groups,
    detGroups: Groups,
    cacheKey: (r: number) => number,
  ): CategoryMatches {
    const T = this.params.iouThrs.length;
    const A = this.params.areaRanges.length;
    // Sizes first, so that the category's arrays are allocated once.
    let cells = 0;
    let kept = 0;
    for (let r = 0; r < nImages; r++) {
      const c = k * nImages + r;
      const nGt = gtGroups.start[c + 1]! - gtGroups.start[c]!;
      const nDet = detGroups.start[c + 1]! - detGroups.start[c]!;
      if (nGt === 0 && nDet === 0) continue;
      cells++;
      kept += Math.min(nDet, this.maxDet);
    }
    const out: CategoryMatches = {
      cells,
      count: kept,
      score: new Float64Array(kept),
      rank: new Int32Array(kept),
      matched: new Uint8Array(A * T * kept),
      ignored: new Uint8Array(A * T * kept),
      regularGt: new Int32Array(A),
    };
    let at = 0;
    for (let r = 0; r < nImages; r++) {
      const c = k * nImages + r;
      const gStart = gtGroups.start[c]!;
      const nGt = gtGroups.start[c + 1]! - gStart;
      const dStart = detGroups.start[c]!;
      const nAll = detGroups.start[c + 1]! - dStart;
      if (nGt === 0 && nAll === 0) continue;
      const gts = gtGroups.items.subarray(gStart, gStart + nGt);
      const nDet = this.sortDetections(detGroups.items, dStart, nAll);
      this.cell(imageIds[r]!, categoryId, gts, nGt, nDet, out, at, cacheKey(r));
      at += nDet;
    }
    return out;
  }

  /** Fills this.dets with the cell's detections in stable score order, cut to maxDets; returns their number. */
  private sortDetections(items: Int32Array, start: number, n: number): number {
    if (this.dets.length < n) {
      this.dets = new Int32Array(n * 2);
      this.detScores = new Float64Array(n * 2);
      this.order = new Int32Array(n * 2);
    }
    const scores = this.detScores;
    for (let i = 0; i < n; i++) scores[i] = this.res.score[items[start + i]!]!;
    const order = stableOrderByDescending(scores, n, this.order);
    const kept = Math.min(n, this.maxDet);
    for (let i = 0; i < kept; i++) this.dets[i] = items[start + order[i]!]!;
    return kept;
  }

  private cell(imageId: number, categoryId: number, gts: Int32Array, nGt: number, nDet: number, out: CategoryMatches, at: number, key: number): void {
    const { params, gt, res } = this;
    const ann = gt.annotations;
    const T = params.iouThrs.length;
    const A = params.areaRanges.length;
    const dets = this.dets;
    let ious = key < 0 || !this.similarities ? undefined : this.similarities.get(key);
    if (!ious) {
      ious = this.similarity.compute(dets, nDet, gts, nGt);
      if (key >= 0 && this.similarities) this.similarities.set(key, ious);
    }
    if (this.gtCrowd.length < nGt) {
      this.gtCrowd = new Uint8Array(nGt * 2);
      this.gtIds = new Float64Array(nGt * 2);
      this.gtIgnore = Array.from({ length: A }, () => new Uint8Array(nGt * 2));
    }
    if (this.dtOut.length < nDet) this.dtOut = new Uint8Array(nDet * 2);
    const gtCrowd = this.gtCrowd,
      gtIds = this.gtIds,
      dtOut = this.dtOut;
    for (let g = 0; g < nGt; g++) {
      gtCrowd[g] = ann.iscrowd[gts[g]!]!;
      gtIds[g] = this.freshGtIds ? gts[g]! + 1 : ann.id[gts[g]!]!;
    }
    for (let d = 0; d < nDet; d++) {
      out.score[at + d] = res.score[dets[d]!]!;
      out.rank[at + d] = d;
    }

    for (let a = 0; a < A; a++) {
      const [lo, hi] = params.areaRanges[a]!;
      const gtIgnore = this.gtIgnore[a]!;
      let regular = 0;
      for (let g = 0; g < nGt; g++) {
        const area = ann.area[gts[g]!]!;
        gtIgnore[g] = this.baseIgnore[gts[g]!] || area < lo || area > hi ? 1 : 0;
        if (!gtIgnore[g]) regular++;
      }
      out.regularGt[a]! += regular;
      // The matching depends on the ignore flags only: area ranges with the
      // same flags as an earlier one share its matching.
      let same = -1;
      for (let b = 0; b < a && same < 0; b++) if (sameFlags(this.gtIgnore[b]!, gtIgnore, nGt)) same = b;
      if (same < 0) {
        this.matcher.match(ious, nDet, nGt, gtIgnore, gtCrowd, gtIds, this.cellMatches[a]!);
        this.matchOf[a] = a;
      } else {
        this.matchOf[a] = this.matchOf[same]!;
      }
      const m = this.cellMatches[this.matchOf[a]!]!;
      for (let d = 0; d < nDet; d++) {
        const area = res.area[dets[d]!]!;
        dtOut[d] = area < lo || area > hi ? 1 : 0;
      }
      for (let t = 0; t < T; t++) {
        const base = (a * T + t) * out.count + at;
        for (let d = 0; d < nDet; d++) {
          const matched = m.dtGtId[t * nDet + d] !== 0;
          out.matched[base + d] = matched ? 1 : 0;
          // An unmatched detection outside the area range is ignored.
          out.ignored[base + d] = m.dtIgnored[t * nDet + d]! || (!matched && dtOut[d]!) ? 1 : 0;
        }
      }
      if (a === 0 && this.records) this.record(imageId, categoryId, gts, nGt, nDet, ious, m, gtIgnore, dtOut);
    }
  }

  private record(
    imageId: number,
    categoryId: number,
    gts: Int32Array,
    nGt: number,
    nDet: number,
    ious: Float64Array,
    m: CellMatch,
    gtIgnore: Uint8Array,
    dtOut: Uint8Array,
  ): void {
    const rec = this.records!;
    const { t50, t75 } = this;
    const ignoredAt = (t: number, d: number): number => (m.dtIgnored[t * nDet + d] || (m.dtGtId[t * nDet + d] === 0 && dtOut[d]) ? 1 : 0);
    rec.openCell(imageId, categoryId);
    for (let d = 0; d < nDet; d++) {
      rec.detResultIndex.push(this.dets[d]!);
      rec.detScore.push(this.res.score[this.dets[d]!]!);
      rec.detGtId50.push(t50 < 0 ? 0 : m.dtGtId[t50 * nDet + d]!);
      rec.detGtId75.push(t75 < 0 ? 0 : m.dtGtId[t75 * nDet + d]!);
      rec.detIgnored50.push(t50 < 0 ? 0 : ignoredAt(t50, d));
      rec.detIgnored75.push(t75 < 0 ? 0 : ignoredAt(t75, d));
      let best = 0;
      for (let g = 0; g < nGt && ious.length > 0; g++) best = Math.max(best, ious[d * nGt + g]!);
      rec.detBestIou.push(best);
    }
    for (let g = 0; g < nGt; g++) {
      rec.gtAnnotationIndex.push(gts[g]!);
      rec.gtId.push(this.gt.annotations.id[gts[g]!]!);
      rec.gtMatched50.push(t50 < 0 ? 0 : m.gtMatched[t50 * nGt + g]!);
      rec.gtMatched75.push(t75 < 0 ? 0 : m.gtMatched[t75 * nGt + g]!);
      rec.gtIgnored.push(gtIgnore[g]!);
    }
  }
}
