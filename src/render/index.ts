/**
 * Pictures and reports: images drawn with their annotations and with
 * predictions marked by the evaluation (matched, missed, false positive),
 * retrieval strips, the self-contained HTML evaluation report, and the split
 * statistics page. The canvas library is loaded on the first picture, so
 * importing this module (or making a report without pictures) does not need it.
 */
import type { RenderRequest } from './pictures/render-images.js';

export { reportPage, writeReport, evaluatedReportPage, type ReportOptions, type EvaluatedReportOptions } from './report/report.js';
export { buildReportData, retrievalReportAttributes, type EvaluatedCocoTask, type ReportData, type ReportRequest } from './report/report-data.js';
export { reportHtml } from './report/report-html.js';
export type { ReportModel } from './report/report-model.js';
export { statsHtml } from './report/stats-html.js';
export { compareHtml, type CompareModel, type CompareFigureRow, type CompareImageRow } from './report/compare-html.js';
export { PARTS, type Part } from './pictures/drawn-item.js';
export { detectResultsKind, type ResultKind } from './pictures/prediction-items.js';
export type { PictureFormat, RenderRequest, RetrievalFiles as RenderRetrievalFiles } from './pictures/render-images.js';

/**
 * Draws the chosen images of a split and writes one picture per image (ground
 * truth), per image and results file (ground truth | predictions), and per
 * image with retrieval files (its query strips). Returns the files written.
 * What `df2 render` does.
 *
 * @example
 * ```ts
 * import { renderImages, PARTS } from 'df2/render';
 * const files = await renderImages({
 *   dir: 'data/validation', imageIds: [12], outDir: 'pictures', parts: new Set(PARTS),
 *   overlay: false, format: 'png', resultsFiles: ['bbox_results.json'], gtFile: 'val-coco.json', minScore: 0,
 * });
 * ```
 */
export async function renderImages(request: RenderRequest): Promise<string[]> {
  // Loaded here: the drawing code brings the canvas library, which nothing else needs.
  const drawing = await import('./pictures/render-images.js');
  return drawing.renderImages(request);
}

// Used by other modules (imported through this index).
export { HIT_COLOR, MISS_COLOR, LANDMARK_KIND_COLORS, LANDMARK_MARKS, type LandmarkKindName, type LandmarkMarkShape } from './pictures/colors.js';
export { type DetectionRecord, readResultsForImages, resultKindOf } from './pictures/prediction-items.js';
