/**
 * The HTML evaluation report as one library call: what `df2 report` writes,
 * and what the challenge's workers keep for each submission (they call this
 * in their evaluation process instead of running the command).
 */
import { buildReportData, type ReportRequest } from './report-data.js';
import { reportHtml } from './report-html.js';

export interface ReportOptions extends ReportRequest {
  /** The split (annos/ and image/): adds the worst images of each task and retrieval examples. */
  dataDir?: string;
  /** How the page names each input file (by its path): the server shows its users their file name, not its own paths. */
  displayName?: (path: string) => string;
}

/**
 * Evaluates and renders one self-contained report page (inline SVG, data:
 * URIs, no scripts).
 *
 * @example
 * const html = await makeReportHtml({ gtFile: 'gt/coco.json', tasks: [{ task: 'bbox', resultsFile: 'bbox.json' }] });
 * await writeFileAtomic('report.html', html);
 */
export async function makeReportHtml(options: ReportOptions): Promise<string> {
  const data = await buildReportData(options);
  if (options.dataDir) {
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
