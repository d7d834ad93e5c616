/**
 * A retrieval layer: the results file evaluated on the split's query and
 * gallery items by the retrieval evaluator, and each query explained by
 * explainQuery (the same assignment and hit test as the figures).
 */
import { evaluateRetrieval, explainQuery, loadRetrievalInputs, type RetrievalInputs } from '../../eval/index.js';
import { assignResults } from '../../eval/internal.js';
import type { Assignment } from '../../eval/internal.js';
import type { LayerQueryJson, PredictionJson, RetrievalExplainedJson, TallyJson } from '../../shared/layer-types.js';
import type { SplitTruth } from './split-truth.js';

export interface RetrievalLayerData {
  kind: 'retrieval';
  stats: number[];
  inputs: RetrievalInputs;
  assignment: Assignment;
  truth: SplitTruth;
  perImage: Map<number, { tally: TallyJson; queries: LayerQueryJson[] }>;
  /** Result rows per query image. */
  rowsByImage: Map<number, number[]>;
}

export async function loadRetrievalLayer(resultsFile: string, truth: SplitTruth): Promise<RetrievalLayerData> {
  const inputs = await loadRetrievalInputs(truth.files.query!, truth.files.gallery!, resultsFile);
  const result = evaluateRetrieval(inputs);
  const assignment = assignResults(inputs.queries, inputs.results);
  const perImage = new Map<number, { tally: TallyJson; queries: LayerQueryJson[] }>();
  for (const imageId of truth.itemKeys.keys()) perImage.set(imageId, { tally: { tp: 0, fp: 0, fn: 0 }, queries: [] });
  const outcomes = new Map(result.outcomes.map((o) => [o.query, o]));
  inputs.queries.items.forEach((item, q) => {
    const entry = perImage.get(item.queryImageId);
    if (!entry) return;
    const o = outcomes.get(q);
    const verdict = !o ? 'not-counted' : o.standing < 0 ? 'no-detection' : o.firstHitRank === 0 ? 'no-hit' : 'hit';
    entry.queries.push({ query: q, item: truth.queryItems![q]!.key, verdict, first_hit_rank: o?.firstHitRank ?? 0 });
    if (verdict === 'hit') entry.tally.tp++;
    else if (verdict !== 'not-counted') entry.tally.fn++;
  });
  const standingRows = new Set(assignment.standing);
  const rowsByImage = new Map<number, number[]>();
  for (let r = 0; r < inputs.results.count; r++) {
    const imageId = inputs.results.queryImageIds[r]!;
    const rows = rowsByImage.get(imageId);
    if (rows) rows.push(r);
    else rowsByImage.set(imageId, [r]);
    // A detection that stands for no query cannot count.
    const entry = perImage.get(imageId);
    if (entry && !standingRows.has(r)) entry.tally.fp++;
  }
  const stats = [result.top1, result.top5, result.top10, result.top15, result.top20];
  return { kind: 'retrieval', stats, inputs, assignment, truth, perImage, rowsByImage };
}

/** The image's detections as boxes: the one standing for a query "matched", the others "false-positive". */
export function retrievalPredictions(layer: RetrievalLayerData, imageId: number): PredictionJson[] {
  const { results } = layer.inputs;
  return (layer.rowsByImage.get(imageId) ?? []).map((r) => {
    const q = layer.assignment.assignedQuery[r]!;
    const stands = q >= 0 && layer.assignment.standing[q] === r;
    const b = results.queryBoxes.subarray(r * 4, r * 4 + 4);
    const p: PredictionJson = {
      index: r,
      category_id: results.queryClasses[r]!,
      score: results.queryScores[r]!,
      state: stands ? 'matched' : 'false-positive',
      best: null,
      bbox: [b[0]!, b[1]!, b[2]! - b[0]!, b[3]! - b[1]!],
    };
    if (stands) p.matched_item = layer.truth.queryItems![q]!.key;
    return p;
  });
}

const box = (c: readonly number[]): [number, number, number, number] => [c[0]!, c[1]!, c[2]!, c[3]!];

export function explainedJson(layer: RetrievalLayerData, split: string, layerId: string, q: number): Omit<RetrievalExplainedJson, 'images'> {
  const e = explainQuery(layer.inputs, q, layer.assignment);
  const queryKey = (i: number): string | undefined => layer.truth.queryItems![i]?.key;
  const galleryKey = (i: number) => layer.truth.galleryItems![i]!;
  return {
    split,
    layer: layerId,
    query: q,
    query_image_id: e.item.queryImageId,
    item: queryKey(q)!,
    category_id: e.item.cls,
    style: e.item.style,
    pair_id: e.item.pairId,
    bbox: box(e.item.bbox),
    verdict: e.verdict,
    candidates: e.candidates.map((c) => ({
      row: c.row,
      score: c.score,
      cls: c.cls,
      bbox: box(c.bbox),
      iou: c.iou,
      assigned_query: c.assignedQuery,
      ...(c.assignedQuery !== q && c.assignedQuery >= 0 ? { assigned_item: queryKey(c.assignedQuery) } : {}),
      verdict: c.verdict,
    })),
    standing: e.standing,
    retrieved: e.retrieved.map((r) => ({
      rank: r.rank,
      gallery_image_id: r.galleryImageId,
      bbox: box(r.bbox),
      hit: r.hitGalleryItem >= 0,
      gt_image: r.groundTruthImage,
      ...(r.hitGalleryItem >= 0 ? { hit_item: galleryKey(r.hitGalleryItem).key } : {}),
    })),
    first_hit_rank: e.firstHitRank,
    ground_truth_gallery: e.groundTruthGallery.map((g) => ({ gallery_image_id: g.item.galleryImageId, item: galleryKey(g.index).key, bbox: box(g.item.bbox) })),
  };
}
