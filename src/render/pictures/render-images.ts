/**
 * `df2 render`: pictures of chosen images of a split. Without results, one
 * panel of the ground truth. With results files, per file a picture of two
 * panels (ground truth | predictions; one panel with --overlay), each item
 * marked by the evaluation: detections matched or false positive, ground
 * truth matched or missed. With retrieval files, the retrieval strips of the
 * image's query items.
 */
import { join } from 'node:path';
import type { Canvas } from '@napi-rs/canvas';
import type { ImageRecord } from '../../schema/index.js';
import { writeFileAtomic } from '../../util/atomic.js';
import { loadRetrievalInputs, evaluateRetrieval, type RetrievalInputs, type RetrievalResult } from '../../eval/index.js';
import { groundTruthItems } from './gt-items.js';
import type { DrawnItem, Part } from './drawn-item.js';
import { composePanels, type Panel } from './panel.js';
import { predictionItem, readResultsForImages, type ImageResults } from './prediction-items.js';
import { decodeImage, readImageRecord } from './split-image.js';
import { drawQueryStrip, queryStripsForImage, SplitImages } from './retrieval-strips.js';
import { stackVertically } from './retrieval-strip.js';
import { evaluateForPictures, type EvaluatedResults } from './match-verdicts.js';

export type PictureFormat = 'png' | 'jpeg';

export interface RetrievalFiles {
  query: string;
  gallery: string;
  results: string;
  /** Retrieved items shown per query. */
  topK: number;
}

export interface RenderRequest {
  dir: string;
  imageIds: readonly number[];
  outDir: string;
  parts: ReadonlySet<Part>;
  overlay: boolean;
  format: PictureFormat;
  resultsFiles: readonly string[];
  /** COCO ground truth for the evaluation; without it the chosen images are converted on the fly. */
  gtFile?: string;
  /** Detections below this score are evaluated but not drawn. */
  minScore: number;
  retrieval?: RetrievalFiles;
  /** Called after each picture written. */
  onPicture?(file: string): void;
}

/** One set of results with its evaluation, ready to draw. */
interface ResultSet {
  results: ImageResults;
  evaluated: EvaluatedResults;
  /** Used in the output file name: the kind, made unique. */
  tag: string;
}

export async function renderImages(request: RenderRequest): Promise<string[]> {
  const ids = [...new Set(request.imageIds)];
  const records: ImageRecord[] = [];
  for (const id of ids) records.push(await readImageRecord(request.dir, id));

  const idSet = new Set(ids);
  const sets: ResultSet[] = [];
  const tags = new Map<string, number>();
  for (const file of request.resultsFiles) {
    const results = await readResultsForImages(file, idSet);
    const evaluated = await evaluateForPictures({ ...(request.gtFile ? { gtFile: request.gtFile } : {}), records, results });
    const seen = (tags.get(results.kind) ?? 0) + 1;
    tags.set(results.kind, seen);
    sets.push({ results, evaluated, tag: seen === 1 ? results.kind : `${results.kind}-${seen}` });
  }

  // Read and checked before any picture is written, so bad retrieval files stop the command early.
  const retrieval = request.retrieval ? await loadRetrieval(request.retrieval) : undefined;

  const written: string[] = [];
  const write = async (name: string, canvas: Canvas): Promise<void> => {
    const file = join(request.outDir, `${name}.${request.format === 'jpeg' ? 'jpg' : 'png'}`);
    await writeFileAtomic(file, await encodePicture(canvas, request.format));
    written.push(file);
    request.onPicture?.(file);
  };

  for (const record of records) {
    const image = await decodeImage(record);
    if (sets.length === 0) {
      await write(record.name, composePanels(image, [{ caption: 'ground truth', items: groundTruthItems(record) }], request.parts));
    }
    for (const set of sets) {
      const panels = comparisonPanels(record, set, request.overlay, request.minScore);
      await write(`${record.name}-${set.tag}`, composePanels(image, panels, request.parts));
    }
  }

  if (retrieval) {
    const { inputs, result } = retrieval;
    for (const record of records) {
      const strips = queryStripsForImage(inputs, result, record.id, request.retrieval!.topK);
      if (strips.length === 0) continue;
      // Shop images decoded for this picture only: memory stays one picture's worth however many ids are asked for.
      const images = new SplitImages(request.dir);
      const canvases = await Promise.all(strips.map((s) => drawQueryStrip(inputs, s, images)));
      await write(`${record.name}-retrieval`, stackVertically(canvases));
    }
  }
  return written;
}

async function loadRetrieval(files: RetrievalFiles): Promise<{ inputs: RetrievalInputs; result: RetrievalResult }> {
  const inputs = await loadRetrievalInputs(files.query, files.gallery, files.results);
  return { inputs, result: evaluateRetrieval(inputs) };
}

/** Ground truth and predictions of one results file for one image, as panels. */
export function comparisonPanels(record: ImageRecord, set: { results: ImageResults; evaluated: EvaluatedResults }, overlay: boolean, minScore = 0): Panel[] {
  const { results, evaluated } = set;
  const verdicts = evaluated.perImage.get(record.id);
  const gt = groundTruthItems(record, verdicts?.groundTruth);
  const detections: DrawnItem[] = [];
  for (const d of results.byImage.get(record.id) ?? []) {
    if (d.score < minScore) continue;
    detections.push(predictionItem(results.file, results.kind, d, verdicts?.detections.get(d.index) ?? evaluated.notEvaluated));
  }
  const at = `${evaluated.metric} ≥ ${evaluated.threshold.toFixed(2)}`;
  if (overlay) {
    return [
      { caption: `ground truth (solid) and ${results.kind} predictions (dashed), ${at}`, items: [...gt, ...detections.map((d) => ({ ...d, dashed: true }))] },
    ];
  }
  return [
    { caption: `ground truth: ✓ matched, ✗ missed (${at})`, items: gt },
    { caption: `${results.kind} predictions: ✓ matched, ✗ false positive`, items: detections },
  ];
}

async function encodePicture(canvas: Canvas, format: PictureFormat): Promise<Buffer> {
  return format === 'jpeg' ? canvas.encode('jpeg', 90) : canvas.encode('png');
}
