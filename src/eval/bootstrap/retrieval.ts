/**
 * Bootstrap over query images for retrieval: the consumer images of the
 * query file (every distinct query_image_id, sorted, including images whose
 * items all have style 0) are drawn with replacement; a resample's top-k
 * accuracy counts each query (style > 0) of a drawn image once per draw:
 * hits at k over queries, both weighted by the draws. An image's queries
 * and their outcomes do not depend on the other images (results are
 * assigned to queries within their own image), so one evaluation serves
 * every resample.
 */
import { ATTRIBUTES, type AttributeName } from '../../schema/index.js';
import type { QuerySet } from '../retrieval/ground-truth.js';
import { TOP_K, type QueryOutcome } from '../retrieval/score.js';
import type { FigureInterval } from './coco.js';
import { percentileInterval } from './percentile.js';
import { type ResampleOptions, type ResampleRun, runResamples } from './run.js';

export const RETRIEVAL_FIGURES = ['top1', 'top5', 'top10', 'top15', 'top20'] as const;

export interface RetrievalBootstrap extends ResampleRun {
  /** top1 .. top20 with their intervals. */
  figures: ({ name: (typeof RETRIEVAL_FIGURES)[number] } & FigureInterval)[];
  /** The query images resampled, ascending. */
  imageIds: number[];
  /** Each resample's [top1, top5, top10, top15, top20] (with a resample file, or when asked). */
  lists?: number[][];
}

/**
 * Intervals of top-k accuracy from one evaluation's outcomes.
 *
 * @example
 * ```ts
 * const inputs = await loadRetrievalInputs('val_query.json', 'val_gallery.json', 'retrieval.json');
 * const result = evaluateRetrieval(inputs);
 * const ci = await bootstrapRetrieval(inputs.queries, result.outcomes, { resamples: 1000, seed: 1 });
 * console.log(ci.figures[0]); // top1 { value, low, high, defined }
 * ```
 */
export async function bootstrapRetrieval(queries: QuerySet, outcomes: readonly QueryOutcome[], options: ResampleOptions = {}): Promise<RetrievalBootstrap> {
  const imageIds = [...new Set(queries.items.map((q) => q.queryImageId))].sort((a, b) => a - b);
  const rankOf = new Map(imageIds.map((id, r) => [id, r]));
  const K = TOP_K.length;
  // Per image: counted queries, and hits within each k.
  const counted = new Int32Array(imageIds.length);
  const hits = new Int32Array(imageIds.length * K);
  for (const o of outcomes) {
    const r = rankOf.get(queries.items[o.query]!.queryImageId)!;
    counted[r]!++;
    if (o.firstHitRank === 0) continue;
    TOP_K.forEach((k, i) => {
      if (o.firstHitRank <= k) hits[r * K + i]!++;
    });
  }
  const figuresOf = (weight: (r: number) => number): number[] => {
    let n = 0;
    const h = new Array<number>(K).fill(0);
    for (let r = 0; r < imageIds.length; r++) {
      const w = weight(r);
      if (w === 0) continue;
      n += w * counted[r]!;
      for (let i = 0; i < K; i++) h[i]! += w * hits[r * K + i]!;
    }
    return h.map((x) => (n === 0 ? -1 : x / n));
  };
  const point = figuresOf(() => 1);
  const values: number[][] = [];
  const weight = new Int32Array(imageIds.length);
  const run = await runResamples(imageIds, options, (ranks) => {
    weight.fill(0);
    for (let j = 0; j < ranks.length; j++) weight[ranks[j]!]!++;
    values.push(figuresOf((r) => weight[r]!));
  });
  const keep = options.keepFigures ?? options.file !== undefined;
  return {
    ...run,
    imageIds,
    figures: RETRIEVAL_FIGURES.map((name, i) => ({
      name,
      value: point[i]!,
      ...percentileInterval(
        values.map((v) => v[i]!),
        run.level,
      ),
    })),
    ...(keep && { lists: values }),
  };
}

/** One attribute value's top-k accuracy with intervals. */
export interface RetrievalSubsetIntervals {
  attribute: AttributeName;
  /** 1..3 */
  value: number;
  valueName: string;
  figures: RetrievalBootstrap['figures'];
}

/**
 * Top-k accuracy of each value of each attribute with its interval (`df2 eval retrieval --ci --by`,
 * `df2 report --ci`): the outcomes of the queries with that value, resampled over every query image
 * on the same lists as the whole (the same seed, or the same file), as evaluateRetrieval's `by`
 * counts them.
 *
 * @example
 * ```ts
 * const result = evaluateRetrieval(inputs, { by: ['occlusion'] });
 * const subsets = await bootstrapRetrievalSubsets(inputs.queries, result.outcomes, ['occlusion'], { resamples: 1000, seed: 1 });
 * console.log(subsets[0].valueName, subsets[0].figures[4]); // slight, top20 { value, low, high, defined }
 * ```
 */
export async function bootstrapRetrievalSubsets(
  queries: QuerySet,
  outcomes: readonly QueryOutcome[],
  attributes: readonly AttributeName[],
  options: Omit<ResampleOptions, 'writeFile' | 'keepFigures' | 'onProgress'> = {},
): Promise<RetrievalSubsetIntervals[]> {
  const out: RetrievalSubsetIntervals[] = [];
  for (const attribute of attributes) {
    for (const [i, valueName] of ATTRIBUTES[attribute].entries()) {
      const value = i + 1;
      const own = outcomes.filter((o) => queries.items[o.query]!.attributes[attribute] === value);
      const ci = await bootstrapRetrieval(queries, own, { ...options, keepFigures: false });
      out.push({ attribute, value, valueName, figures: ci.figures });
    }
  }
  return out;
}
