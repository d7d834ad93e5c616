/**
 * One self-contained HTML evaluation report from ground truth and results
 * files: what `df2 report` writes. The drawing code (and with it the canvas
 * library) is loaded only when pictures are asked for.
 */
import { writeFileAtomic } from '../../util/atomic.js';
import { buildReportData, cocoReportSection, reportModel, retrievalReportSection, type EvaluatedCocoTask, type ReportRequest } from './report-data.js';
import type { ReportModel } from './report-model.js';
import type { RetrievalBootstrap, RetrievalResult } from '../../eval/index.js';
import { reportHtml } from './report-html.js';
import { setRetrievalIntervals } from './report-intervals.js';

export interface ReportOptions extends ReportRequest {
  /** The split (annos/ and image/): adds the worst images of each task and retrieval examples. */
  dataDir?: string;
  /** How the page names each input file (by its path): the server shows its users their file name, not its own paths. */
  displayName?: (path: string) => string;
}

/**
 * Evaluates the results (the same engine and figures as `df2 eval`) and
 * returns the report page: no scripts, charts as inline SVG, pictures as
 * data: URIs, so it opens offline.
 *
 * @example
 * ```ts
 * import { reportPage } from 'df2/render';
 * const html = await reportPage({ gtFile: 'val-coco.json', tasks: [{ task: 'bbox', resultsFile: 'bbox_results.json' }] });
 * ```
 */
export async function reportPage(options: ReportOptions): Promise<string> {
  const data = await buildReportData(options);
  for (const line of data.warnings) options.onWarning?.(line);
  if (options.dataDir !== undefined) {
    const { addReportPictures } = await import('./report-pictures.js');
    await addReportPictures(data, options.dataDir, options.onProgress);
  }
  return pageOf(data.model, options.displayName);
}

function pageOf(model: ReportModel, name: ((path: string) => string) | undefined): string {
  if (name) {
    for (const section of model.tasks) {
      section.gtFile = name(section.gtFile);
      section.resultsFile = name(section.resultsFile);
    }
    const r = model.retrieval;
    if (r) Object.assign(r, { queryFile: name(r.queryFile), galleryFile: name(r.galleryFile), resultsFile: name(r.resultsFile) });
  }
  return reportHtml(model);
}

export interface EvaluatedReportOptions {
  title?: string;
  displayName?: (path: string) => string;
  /** COCO-style tasks the caller evaluated (see {@link EvaluatedCocoTask}). */
  tasks?: EvaluatedCocoTask[];
  /**
   * Retrieval as the caller evaluated it, broken down by retrievalReportAttributes(inputs); with `intervals`, a
   * bootstrap of the same outcomes the caller drew (bootstrapRetrieval), shown on top-k as `df2 report --ci` shows it.
   */
  retrieval?: { files: { query: string; gallery: string; results: string }; result: RetrievalResult; intervals?: RetrievalBootstrap | undefined };
}

/**
 * The report page of {@link reportPage} (without pictures) from evaluations the caller already
 * made: nothing is read or evaluated again. The challenge server evaluates a submission once for
 * its figures and makes its report from the same evaluation, and, in a phase with intervals, from
 * the same bootstrap as the intervals stored with its figures.
 *
 * @example
 * ```ts
 * import { evaluatedReportPage } from 'df2/render';
 * import { bootstrapCoco, evaluateLoaded, loadCocoPair } from 'df2/eval';
 * const { gt, results } = await loadCocoPair('bbox', 'val-coco.json', 'bbox_results.json');
 * const result = evaluateLoaded('bbox', gt, results, { quiet: true });
 * const html = evaluatedReportPage({ tasks: [{ task: 'bbox', gtFile: 'val-coco.json', resultsFile: 'bbox_results.json', gt, results, result }] });
 * // With intervals drawn once and kept (they are shown as df2 report --ci shows them):
 * const intervals = await bootstrapCoco('bbox', gt, results, { resamples: 1000, seed: 0 });
 * const withIntervals = evaluatedReportPage({ tasks: [{ task: 'bbox', gtFile: 'val-coco.json', resultsFile: 'bbox_results.json', gt, results, result, intervals }] });
 * ```
 */
export function evaluatedReportPage(options: EvaluatedReportOptions): string {
  const model = reportModel(options.title, (options.tasks ?? []).map(cocoReportSection));
  if (options.retrieval) {
    model.retrieval = retrievalReportSection(options.retrieval.files, options.retrieval.result);
    if (options.retrieval.intervals) setRetrievalIntervals(model.retrieval, options.retrieval.intervals);
  }
  return pageOf(model, options.displayName);
}

/**
 * Writes the report page of {@link reportPage} to `out` (complete or not at
 * all) and returns its size in bytes.
 *
 * @example
 * ```ts
 * import { writeReport } from 'df2/render';
 * await writeReport('report.html', {
 *   gtFile: 'val-coco.json',
 *   tasks: [{ task: 'segm', resultsFile: 'segm_results.json' }],
 *   retrieval: { query: 'val_query.json', gallery: 'val_gallery.json', results: 'retrieval.json' },
 *   dataDir: 'data/validation',
 * });
 * ```
 */
export async function writeReport(out: string, options: ReportOptions): Promise<number> {
  const html = await reportPage(options);
  await writeFileAtomic(out, html);
  return Buffer.byteLength(html);
}
