/**
 * Retrieval evaluation end to end: load (or take already loaded) ground truth
 * and results, assign detections to queries, score the standing ones, and
 * break the figures down by attribute on request.
 */
import { ATTRIBUTES, type AttributeName } from '../../schema/index.js';
import { MAX_RETRIEVED } from '../../schema/index.js';
import { InputError } from '../../util/errors.js';
import { assignResults } from './assign.js';
import { loadGallery, loadQueries, pairStyleKey, type GalleryIndex, type QuerySet } from './ground-truth.js';
import { loadResults, type ResultTable } from './results.js';
import { firstHitRank, topKAccuracy, type QueryOutcome, type TopKAccuracy } from './score.js';

export interface RetrievalInputs {
  queries: QuerySet;
  gallery: GalleryIndex;
  results: ResultTable;
}

/** Oddities that cannot change the figures but that a user should hear about. */
export interface RetrievalWarnings {
  /** Results naming an image that has no ground-truth query: never evaluated. */
  resultsWithoutQueryImage: number;
  /** Retrieved items naming a shop image absent from the gallery: never a hit. */
  unknownGalleryImages: number;
  /** Queries with style > 0 that no gallery item matches (pair_id and style): never a hit. */
  queriesWithoutGalleryMatch: number;
}

/** Figures per attribute value ("1", "2", "3"), as subsets.json lays them out. */
export type AttributeBreakdown = Record<string, TopKAccuracy>;

export interface RetrievalResult extends TopKAccuracy {
  /** Number of results (detected query items) read. */
  resultCount: number;
  /** Results with fewer than 20 retrieved items. */
  shortLists: number;
  warnings: RetrievalWarnings;
  /** Present for the attributes asked for with `by`. */
  by: Partial<Record<AttributeName, AttributeBreakdown>>;
  /** One per query with style > 0, in query-file order. */
  outcomes: QueryOutcome[];
}

export interface RetrievalOptions {
  /**
   * Attributes to break the figures down by.
   * @default [] (no breakdown)
   */
  by?: readonly AttributeName[];
}

export interface RetrievalFileOptions extends RetrievalOptions {
  /** Progress while the results file streams in. */
  onResultsProgress?: (bytesRead: number, totalBytes: number) => void;
}

/** InputError unless every query with style > 0 carries the attributes asked for. */
export function requireAttributes(queries: QuerySet, by: readonly AttributeName[]): void {
  for (const name of by) {
    const i = queries.items.findIndex((q) => q.style > 0 && q.attributes[name] === undefined);
    if (i < 0) continue;
    throw new InputError(
      queries.file,
      `[${i}].${name}`,
      `the attribute ${name} (1..${ATTRIBUTES[name].length}) on every query item ` + '(write the query file with `df2 convert retrieval --attributes`)',
      'nothing',
    );
  }
}

function countUnknownGalleryImages(results: ResultTable, gallery: GalleryIndex): number {
  let unknown = 0;
  for (let r = 0; r < results.count; r++) {
    const n = results.retrievedCounts[r]!;
    for (let t = 0; t < n; t++) if (!gallery.byImage.has(results.galleryImageIds[r * MAX_RETRIEVED + t]!)) unknown++;
  }
  return unknown;
}

/** Evaluates loaded inputs; cheap to call again, e.g. with another `by`. */
export function evaluateRetrieval(inputs: RetrievalInputs, options: RetrievalOptions = {}): RetrievalResult {
  const { queries, gallery, results } = inputs;
  const by = [...new Set(options.by ?? [])];
  requireAttributes(queries, by);

  const { standing, resultsWithoutQueryImage } = assignResults(queries, results);
  const outcomes: QueryOutcome[] = [];
  let queriesWithoutGalleryMatch = 0;
  queries.items.forEach((query, q) => {
    if (query.style <= 0) return;
    if (!gallery.pairStyles.has(pairStyleKey(query.pairId, query.style))) queriesWithoutGalleryMatch++;
    const row = standing[q]!;
    outcomes.push({ query: q, standing: row, firstHitRank: row < 0 ? 0 : firstHitRank(query, results, row, gallery) });
  });

  const breakdown: Partial<Record<AttributeName, AttributeBreakdown>> = {};
  for (const name of by) {
    const perValue: AttributeBreakdown = {};
    ATTRIBUTES[name].forEach((_label, i) => {
      const value = i + 1;
      perValue[String(value)] = topKAccuracy(outcomes.filter((o) => queries.items[o.query]!.attributes[name] === value));
    });
    breakdown[name] = perValue;
  }

  return {
    ...topKAccuracy(outcomes),
    resultCount: results.count,
    shortLists: results.shortLists,
    warnings: {
      resultsWithoutQueryImage,
      unknownGalleryImages: countUnknownGalleryImages(results, gallery),
      queriesWithoutGalleryMatch,
    },
    by: breakdown,
    outcomes,
  };
}

/** Loads the three files (results streamed); ground truth first so that its problems surface early. */
export async function loadRetrievalInputs(
  queryFile: string,
  galleryFile: string,
  resultsFile: string,
  options: RetrievalFileOptions = {},
): Promise<RetrievalInputs> {
  const queries = await loadQueries(queryFile);
  requireAttributes(queries, options.by ?? []);
  const gallery = await loadGallery(galleryFile);
  const results = await loadResults(resultsFile, { onProgress: options.onResultsProgress });
  return { queries, gallery, results };
}

/**
 * Evaluates consumer-to-shop retrieval results against the query and gallery
 * ground truth (from `convertSplitToRetrieval` or the release's files): top-k
 * accuracy for k = 1, 5, 10, 15, 20 over every query with style > 0, and per
 * attribute value with `by` (a query file written with attributes).
 *
 * @example
 * ```ts
 * import { evaluateRetrievalFiles, retrievalText } from 'df2/eval';
 * const result = await evaluateRetrievalFiles('val_query.json', 'val_gallery.json', 'retrieval.json', { by: ['occlusion'] });
 * console.log(result.top1, result.top20, result.by.occlusion?.['2']);
 * process.stdout.write(retrievalText(result));
 * ```
 */
export async function evaluateRetrievalFiles(
  queryFile: string,
  galleryFile: string,
  resultsFile: string,
  options: RetrievalFileOptions = {},
): Promise<RetrievalResult> {
  return evaluateRetrieval(await loadRetrievalInputs(queryFile, galleryFile, resultsFile, options), options);
}

/**
 * Options of {@link evaluateRetrievalObjects}: those of {@link evaluateRetrieval}, and the names messages give the three arrays.
 */
export interface RetrievalObjectsOptions extends RetrievalOptions {
  /**
   * Stands for the query file's name in an InputError's message.
   * @default 'query'
   */
  queryName?: string;
  /**
   * Stands for the gallery file's name in an InputError's message.
   * @default 'gallery'
   */
  galleryName?: string;
  /**
   * Stands for the results file's name in an InputError's message.
   * @default 'results'
   */
  resultsName?: string;
}

/**
 * {@link evaluateRetrievalFiles} for query items, gallery items and results
 * that a program holds in memory (the entries of the three files, as arrays):
 * the same checks, with the same one-line InputError (naming `queryName`,
 * `galleryName` or `resultsName`, the entry and the field), and the same figures.
 *
 * @example
 * ```ts
 * import { evaluateRetrievalObjects } from 'df2/eval';
 * const result = await evaluateRetrievalObjects(queryItems, galleryItems, retrievedLists, { by: ['occlusion'], resultsName: 'run 12' });
 * console.log(result.top1, result.top20, result.by.occlusion);
 * ```
 */
export async function evaluateRetrievalObjects(
  queryItems: readonly unknown[],
  galleryItems: readonly unknown[],
  results: readonly unknown[],
  options: RetrievalObjectsOptions = {},
): Promise<RetrievalResult> {
  const queries = await loadQueries({ name: options.queryName ?? 'query', value: queryItems });
  requireAttributes(queries, options.by ?? []);
  const gallery = await loadGallery({ name: options.galleryName ?? 'gallery', value: galleryItems });
  const table = await loadResults({ name: options.resultsName ?? 'results', value: results });
  return evaluateRetrieval({ queries, gallery, results: table }, options);
}
