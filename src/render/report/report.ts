/**
 * One self-contained HTML evaluation report from ground truth and results
 * files: what `df2 report` writes. The drawing code (and with it the canvas
 * library) is loaded only when pictures are asked for.
 */
import { writeFileAtomic } from '../../util/atomic.js';
import { buildReportData, type ReportRequest } from './report-data.js';
import { reportHtml } from './report-html.js';

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
  const name = options.displayName;
  if (name) {
    for (const section of data.model.tasks) {
      section.gtFile = name(section.gtFile);
      section.resultsFile = name(section.resultsFile);
    }
    const r = data.model.retrieval;
    if (r) Object.assign(r, { queryFile: name(r.queryFile), galleryFile: name(r.galleryFile), resultsFile: name(r.resultsFile) });
  }
  return reportHtml(data.model);
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
