/**
 * Bootstrap intervals on the report's figures (`df2 report --ci`): the same
 * resampling as `df2 eval --ci` (eval's bootstrap), set on the summary
 * figures, per-category AP and per-attribute figures of each task and on
 * retrieval's top-k and its per-attribute top-k. The per-attribute figures
 * are drawn on the same resamples as the section's whole-set figures.
 */
import {
  bootstrapCoco,
  bootstrapRetrieval,
  bootstrapRetrievalSubsets,
  bootstrapSubsets,
  type SubsetIntervals,
  type CocoBootstrap,
  type CocoGroundTruth,
  type CocoResults,
  type CocoTask,
  type FigureInterval,
  type RetrievalBootstrap,
  type RetrievalInputs,
  type RetrievalResult,
} from '../../eval/index.js';
import type { CocoTaskSection, FigureRange, RetrievalSection } from './report-model.js';

/** How the report's intervals are drawn (as df2 eval --ci: default 1000 resamples, seed 0, level 0.95). */
export interface ReportIntervalOptions {
  resamples?: number;
  seed?: number;
  level?: number;
}

const range = (f: FigureInterval): FigureRange => ({ low: f.low, high: f.high, defined: f.defined });

/**
 * Sets the intervals of a COCO task's summary figures and per-category AP from a bootstrap of that evaluation: the
 * one `df2 report --ci` draws, or one the caller already drew (the challenge server's, stored with a submission's
 * figures).
 */
export function setCocoIntervals(section: CocoTaskSection, ci: CocoBootstrap): void {
  if (ci.task !== section.task) throw new RangeError(`a ${ci.task} bootstrap cannot set the intervals of a ${section.task} section`);
  section.resampling = { count: ci.count, seed: ci.seed, level: ci.level };
  section.summary.forEach((f, j) => {
    const interval = ci.stats[j];
    if (interval) f.interval = range(interval);
  });
  const byCategory = new Map(ci.perCategory.map((c) => [c.categoryId, c]));
  for (const row of section.perCategory) {
    const interval = byCategory.get(row.categoryId);
    if (interval) row.apInterval = range(interval);
  }
}

/** Sets the intervals of the per-attribute tables of a COCO task (bootstrapSubsets of the same attributes). */
function setSubsetIntervals(section: CocoTaskSection, subsets: readonly SubsetIntervals[]): void {
  for (const table of section.attributes) {
    for (const row of table.rows) {
      const found = subsets.find((s) => s.attribute === table.attribute && s.value === row.value);
      if (!found) continue;
      const [ap, ap50, ap75] = found.figures.map(range);
      if (ap && ap50 && ap75) row.intervals = { ap, ap50, ap75 };
    }
  }
}

/** Sets the intervals of retrieval's top-k accuracy from a bootstrap of that evaluation (drawn here or by the caller). */
export function setRetrievalIntervals(section: RetrievalSection, ci: RetrievalBootstrap): void {
  section.resampling = { count: ci.count, seed: ci.seed, level: ci.level };
  for (const t of section.topK) {
    const interval = ci.figures.find((f) => f.name === `top${t.k}`);
    if (interval) t.interval = range(interval);
  }
}

/** Top-k intervals in the section's order of k. */
function topKRanges(section: RetrievalSection, figures: RetrievalBootstrap['figures']): FigureRange[] {
  return section.topK.map((t) => {
    const f = figures.find((x) => x.name === `top${t.k}`);
    return f ? range(f) : { low: Number.NaN, high: Number.NaN, defined: 0 };
  });
}

/**
 * Bootstraps one evaluated COCO task and sets its section's intervals.
 *
 * @example
 * ```ts
 * await addCocoIntervals(section, 'bbox', gt, results, { resamples: 1000, seed: 0 });
 * ```
 */
export async function addCocoIntervals(
  section: CocoTaskSection,
  task: CocoTask,
  gt: CocoGroundTruth,
  results: CocoResults,
  options: ReportIntervalOptions,
  onProgress?: (done: number, total: number) => void,
): Promise<void> {
  setCocoIntervals(section, await bootstrapCoco(task, gt, results, { ...options, ...(onProgress ? { onProgress } : {}) }));
  const attributes = section.attributes.map((t) => t.attribute);
  if (attributes.length > 0) setSubsetIntervals(section, await bootstrapSubsets(task, gt, results, attributes, options));
}

/** Bootstraps retrieval (over query images) and sets its section's intervals. */
export async function addRetrievalIntervals(
  section: RetrievalSection,
  inputs: RetrievalInputs,
  result: RetrievalResult,
  options: ReportIntervalOptions,
  onProgress?: (done: number, total: number) => void,
): Promise<void> {
  setRetrievalIntervals(section, await bootstrapRetrieval(inputs.queries, result.outcomes, { ...options, ...(onProgress ? { onProgress } : {}) }));
  const attributes = section.attributes.map((t) => t.attribute);
  if (attributes.length === 0) return;
  const subsets = await bootstrapRetrievalSubsets(inputs.queries, result.outcomes, attributes, options);
  for (const table of section.attributes) {
    for (const row of table.rows) {
      const found = subsets.find((s) => s.attribute === table.attribute && s.value === row.value);
      if (found) row.topKIntervals = topKRanges(section, found.figures);
    }
  }
}
