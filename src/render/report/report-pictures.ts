/**
 * Pictures for the report, drawn by the same code as `df2 render`: the worst
 * images of each task (ground truth | predictions, marked by the evaluation
 * already run for the report), the keypoint detections with the most landmark
 * errors (each landmark marked with its kind) and a few retrieval strips. Scaled down and
 * JPEG-encoded, then embedded as data: URIs.
 */
import { createCanvas, type Canvas } from '@napi-rs/canvas';
import type { ImageRecord } from '../../schema/index.js';
import { dataUri } from './html.js';
import { composePanels } from '../pictures/panel.js';
import { PARTS } from '../pictures/drawn-item.js';
import { readResultsForImages } from '../pictures/prediction-items.js';
import { verdictsFromResult } from '../pictures/match-verdicts.js';
import { comparisonPanels } from '../pictures/render-images.js';
import { decodeImage, readImageRecord } from '../pictures/split-image.js';
import { drawQueryStrip, queryStripsForImage, SplitImages, type QueryStrip } from '../pictures/retrieval-strips.js';
import { worstImages, type ReportData } from './report-data.js';
import { drawLandmarkErrors } from '../pictures/landmark-errors-picture.js';
import type { Image } from '@napi-rs/canvas';

const WORST_IMAGES = 24;
/** Width of a worst-image thumbnail (both panels). */
const THUMBNAIL_WIDTH = 560;
const EXAMPLE_STRIPS = 6;
const JPEG_QUALITY = 82;

export async function addReportPictures(data: ReportData, dataDir: string, onProgress?: (stage: string, done: number, total: number) => void): Promise<void> {
  for (const { section, result } of data.evaluated) {
    const worst = worstImages(result, WORST_IMAGES);
    const records: ImageRecord[] = [];
    for (const w of worst) records.push(await readImageRecord(dataDir, w.imageId));
    const results = await readResultsForImages(section.resultsFile, new Set(worst.map((w) => w.imageId)));
    results.kind = section.task;
    const evaluated = verdictsFromResult(section.task, result, records, section.gtFile);
    section.worst = [];
    for (const [i, record] of records.entries()) {
      const image = await decodeImage(record);
      const picture = composePanels(image, comparisonPanels(record, { results, evaluated }, false), new Set(PARTS));
      const thumbnail = scaleToWidth(picture, THUMBNAIL_WIDTH);
      section.worst.push({ ...worst[i]!, picture: dataUri(await thumbnail.encode('jpeg', JPEG_QUALITY), 'image/jpeg') });
      onProgress?.(`drawing ${section.task} images`, i + 1, records.length);
    }
    const worstDetections = section.landmarkErrors?.worst ?? [];
    const decoded = new Map<number, Image>();
    for (const [i, d] of worstDetections.entries()) {
      let image = decoded.get(d.imageId);
      if (!image) {
        image = await decodeImage(await readImageRecord(dataDir, d.imageId));
        decoded.set(d.imageId, image);
      }
      d.picture = dataUri(await drawLandmarkErrors(image, d).encode('jpeg', JPEG_QUALITY), 'image/jpeg');
      onProgress?.('drawing the worst landmark detections', i + 1, worstDetections.length);
    }
  }
  if (data.retrieval && data.model.retrieval) {
    const { inputs } = data.retrieval;
    const images = new SplitImages(dataDir);
    const chosen = exampleStrips(data.retrieval, EXAMPLE_STRIPS);
    data.model.retrieval.strips = [];
    for (const strip of chosen) {
      const canvas = await drawQueryStrip(inputs, strip, images);
      data.model.retrieval.strips.push({ title: `query ${strip.query}`, picture: dataUri(await canvas.encode('jpeg', JPEG_QUALITY), 'image/jpeg') });
    }
  }
}

/** A few queries to show: those found at rank 1, found later, and not found, in query order. */
function exampleStrips(retrieval: NonNullable<ReportData['retrieval']>, count: number): QueryStrip[] {
  const { inputs, result } = retrieval;
  const groups = [
    result.outcomes.filter((o) => o.firstHitRank === 1),
    result.outcomes.filter((o) => o.firstHitRank > 1),
    result.outcomes.filter((o) => o.standing >= 0 && o.firstHitRank === 0),
  ];
  const picked: number[] = [];
  for (let i = 0; picked.length < count && groups.some((g) => i < g.length); i++) {
    for (const g of groups) if (i < g.length && picked.length < count) picked.push(g[i]!.query);
  }
  return picked.map((q) => {
    const imageId = inputs.queries.items[q]!.queryImageId;
    return queryStripsForImage(inputs, result, imageId, 10).find((s) => s.query === q)!;
  });
}

function scaleToWidth(canvas: Canvas, width: number): Canvas {
  if (canvas.width <= width) return canvas;
  const height = Math.max(1, Math.round((canvas.height * width) / canvas.width));
  const small = createCanvas(width, height);
  const ctx = small.getContext('2d');
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(canvas, 0, 0, width, height);
  return small;
}
