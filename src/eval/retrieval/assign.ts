/**
 * Which detection stands for which ground-truth query (evaluation.md):
 * every result is assigned the query of highest IoU among the queries of its
 * image, whatever that IoU (the release has no threshold: a detection that
 * overlaps nothing goes to the image's first query) and whatever the query's
 * style; ties go to the query that comes first in the query file. Then each
 * query with style > 0 is represented by its highest-scoring assigned result
 * of the right class; equal scores go to the result that comes first in the
 * results file (numpy's argmax keeps the first maximum).
 */
import type { QuerySet } from './ground-truth.js';
import { releaseBoxIou } from './iou.js';
import type { ResultTable } from './results.js';

export interface Assignment {
  /** Query index each result row is assigned to; -1 when no query shares its image. */
  assignedQuery: Int32Array;
  /** Result row standing for each query; -1 when none does (missed) or the query has style 0. */
  standing: Int32Array;
  /** Result rows naming an image without any query: they cannot change the figures. */
  resultsWithoutQueryImage: number;
}

export function assignResults(queries: QuerySet, results: ResultTable): Assignment {
  const assignedQuery = new Int32Array(results.count).fill(-1);
  const standing = new Int32Array(queries.items.length).fill(-1);
  let resultsWithoutQueryImage = 0;
  for (let r = 0; r < results.count; r++) {
    const candidates = queries.byImage.get(results.queryImageIds[r]!);
    if (!candidates) {
      resultsWithoutQueryImage++;
      continue;
    }
    let best = candidates[0]!;
    let bestIou = releaseBoxIou(results.queryBoxes, r * 4, queries.boxes, best * 4);
    for (let k = 1; k < candidates.length; k++) {
      const q = candidates[k]!;
      const iou = releaseBoxIou(results.queryBoxes, r * 4, queries.boxes, q * 4);
      if (iou > bestIou) {
        best = q;
        bestIou = iou;
      }
    }
    assignedQuery[r] = best;
    const query = queries.items[best]!;
    if (query.style <= 0 || results.queryClasses[r] !== query.cls) continue;
    const current = standing[best]!;
    if (current < 0 || results.queryScores[r]! > results.queryScores[current]!) standing[best] = r;
  }
  return { assignedQuery, standing, resultsWithoutQueryImage };
}
