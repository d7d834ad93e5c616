/**
 * One query's path through the official retrieval protocol, step by step,
 * for people asking "why did my query miss?". Every step is taken by the
 * functions that compute the official figures (assignResults for which
 * detection stands for the query, hitGalleryItem / firstHitRank for the
 * ranks), so the explanation cannot disagree with top-k.
 */
import { MAX_RETRIEVED, type Corners, type GalleryItem, type QueryItem } from '../../schema/index.js';
import { assignResults, type Assignment } from './assign.js';
import type { RetrievalInputs } from './evaluate.js';
import { releaseBoxIou } from './iou.js';
import { firstHitRank, hitGalleryItem } from './score.js';

/** A detection of the query's image and what the protocol did with it. */
export interface CandidateDetection {
  /** Row in the results file (0-based). */
  row: number;
  score: number;
  cls: number;
  bbox: Corners;
  /** IoU of the detected box with this query's box. */
  iou: number;
  /** Query index the detection was assigned to (the query of highest IoU in the image). */
  assignedQuery: number;
  /** Why this detection stands, or does not stand, for this query. */
  verdict: 'chosen' | 'assigned-elsewhere' | 'wrong-class' | 'lower-score' | 'query-not-counted';
}

export interface RetrievedItem {
  /** 1-based. */
  rank: number;
  galleryImageId: number;
  bbox: Corners;
  /** The gallery item (index in the gallery file) that makes this rank a hit, -1 when it is not one. */
  hitGalleryItem: number;
  /** The retrieved shop image holds a ground-truth gallery item of the query (a miss here is a box of IoU < 0.5). */
  groundTruthImage: boolean;
}

export type QueryVerdict =
  /** style 0: not a query of the benchmark (neither a hit nor a miss). */
  | 'not-counted'
  /** No detection of the image was assigned to the query with the query's class. */
  | 'no-detection'
  /** A detection stands for it, but none of its retrieved items is a hit. */
  | 'no-hit'
  | 'hit';

export interface QueryExplanation {
  /** Index of the query in the query file. */
  query: number;
  item: QueryItem;
  verdict: QueryVerdict;
  /** Every detection in the query's image, in results-file order. */
  candidates: CandidateDetection[];
  /** Row of the detection standing for the query, -1 when none does. */
  standing: number;
  /** Its retrieved items, best first (empty when none stands). */
  retrieved: RetrievedItem[];
  /** 1-based rank of the first hit, 0 when none. */
  firstHitRank: number;
  /** The ground-truth gallery items: same pair_id and style (indices in the gallery file). */
  groundTruthGallery: { index: number; item: GalleryItem }[];
}

const cornersAt = (a: Float64Array, i: number): Corners => [a[i]!, a[i + 1]!, a[i + 2]!, a[i + 3]!];

/**
 * The protocol's steps for query `q` (index in the query file). Pass the
 * assignment of the inputs when explaining many queries, to compute it once.
 *
 * @example
 * const inputs = await loadRetrievalInputs('query.json', 'gallery.json', 'results.json');
 * const assignment = assignResults(inputs.queries, inputs.results);
 * const why = explainQuery(inputs, 0, assignment);
 * console.log(why.verdict, why.firstHitRank, why.candidates.find((c) => c.verdict === 'chosen'));
 */
export function explainQuery(inputs: RetrievalInputs, q: number, assignment: Assignment = assignResults(inputs.queries, inputs.results)): QueryExplanation {
  const { queries, gallery, results } = inputs;
  const item = queries.items[q];
  if (!item) throw new RangeError(`no query ${q} (the query file has ${queries.items.length})`);
  const counted = item.style > 0;
  const standing = counted ? assignment.standing[q]! : -1;

  const candidates: CandidateDetection[] = [];
  for (let r = 0; r < results.count; r++) {
    if (results.queryImageIds[r] !== item.queryImageId) continue;
    const assignedQuery = assignment.assignedQuery[r]!;
    const cls = results.queryClasses[r]!;
    const verdict: CandidateDetection['verdict'] =
      r === standing
        ? 'chosen'
        : assignedQuery !== q
          ? 'assigned-elsewhere'
          : !counted
            ? 'query-not-counted'
            : cls !== item.cls
              ? 'wrong-class'
              : 'lower-score';
    candidates.push({
      row: r,
      score: results.queryScores[r]!,
      cls,
      bbox: cornersAt(results.queryBoxes, r * 4),
      iou: releaseBoxIou(results.queryBoxes, r * 4, queries.boxes, q * 4),
      assignedQuery,
      verdict,
    });
  }

  const groundTruthGallery = counted
    ? gallery.items.flatMap((g, index) => (g.pairId === item.pairId && g.style === item.style ? [{ index, item: g }] : []))
    : [];
  const groundTruthImages = new Set(groundTruthGallery.map((g) => g.item.galleryImageId));
  const retrieved: RetrievedItem[] = [];
  if (standing >= 0) {
    for (let t = 0; t < results.retrievedCounts[standing]!; t++) {
      const slot = standing * MAX_RETRIEVED + t;
      retrieved.push({
        rank: t + 1,
        galleryImageId: results.galleryImageIds[slot]!,
        bbox: cornersAt(results.galleryBoxes, slot * 4),
        hitGalleryItem: hitGalleryItem(item, results, standing, t, gallery),
        groundTruthImage: groundTruthImages.has(results.galleryImageIds[slot]!),
      });
    }
  }
  const rank = standing >= 0 ? firstHitRank(item, results, standing, gallery) : 0;
  const verdict: QueryVerdict = !counted ? 'not-counted' : standing < 0 ? 'no-detection' : rank === 0 ? 'no-hit' : 'hit';
  return { query: q, item, verdict, candidates, standing, retrieved, firstHitRank: rank, groundTruthGallery };
}
