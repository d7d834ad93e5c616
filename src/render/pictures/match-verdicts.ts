/**
 * The evaluation's word on each drawn item. The matching is the evaluation
 * engine's (src/eval/coco), the same that `df2 eval` runs: this module only
 * prepares its inputs and turns its per-image match records into verdicts
 * (matched / missed / false positive / ignored) keyed the way pictures need
 * them: ground truth by item index in the annotation file, detections by
 * their index in the results file.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImageRecord } from '../../schema/index.js';
import { writeCocoFile } from '../../convert/index.js';
import { evaluateCocoFiles } from '../../eval/index.js';
import type { CocoEvalResult } from '../../eval/index.js';
import { cellMatches, type CocoMatchRecords } from '../../eval/index.js';
import { writeFileAtomic } from '../../util/atomic.js';
import { InputError } from '../../util/errors.js';
import type { Verdict } from './gt-items.js';
import type { ImageResults, ResultKind } from './prediction-items.js';

interface ImageVerdicts {
  /** Per item of the annotation file (file key order). */
  groundTruth: (Verdict | undefined)[];
  /** By index of the detection in the results file. */
  detections: Map<number, Verdict>;
}

export interface EvaluatedResults {
  metric: 'IoU' | 'OKS';
  /** The threshold at which items are called matched. */
  threshold: number;
  perImage: Map<number, ImageVerdicts>;
  /** For detections the evaluation did not keep (beyond maxDets per image and category). */
  notEvaluated: Verdict;
}

/** Pictures and the report mark matches at IoU (OKS) .50, the records' first threshold. */
export const MATCH_THRESHOLD = 0.5;

const metricOf = (kind: ResultKind): 'IoU' | 'OKS' => (kind === 'keypoints' ? 'OKS' : 'IoU');

/**
 * What the match records say of every item of one image, checked against its
 * annotation. `cells` are the indices of the image's cells in the records.
 */
function imageVerdicts(kind: ResultKind, records: CocoMatchRecords, cells: readonly number[], record: ImageRecord, gtFile: string): ImageVerdicts {
  const metric = metricOf(kind);
  const gt: { annotationIndex: number; categoryId: number; verdict: Verdict }[] = [];
  const detections = new Map<number, Verdict>();
  for (const c of cells) {
    const cell = cellMatches(records, c);
    for (const g of cell.groundTruth) {
      const state = g.ignored ? 'ignored' : g.matched50 ? 'matched' : 'missed';
      gt.push({ annotationIndex: g.annotationIndex, categoryId: cell.categoryId, verdict: { state } });
    }
    for (const d of cell.detections) {
      const state = d.ignored50 ? 'ignored' : d.gtId50 !== 0 ? 'matched' : 'false-positive';
      detections.set(d.resultIndex, { state, note: `best ${metric} ${d.bestIou.toFixed(2)}` });
    }
  }
  // An image's annotations come in its file's key order (the converter writes
  // them so), so their order in the ground-truth file gives the item.
  gt.sort((a, b) => a.annotationIndex - b.annotationIndex);
  if (gt.length !== record.items.length || gt.some((g, i) => g.categoryId !== record.items[i]!.categoryId)) {
    throw new InputError(
      gtFile,
      `annotations of image ${record.id}`,
      `the items of ${record.annoPath} (categories ${record.items.map((it) => it.categoryId).join(', ') || 'none'})`,
      `categories ${gt.map((g) => g.categoryId).join(', ') || 'none'}`,
    );
  }
  return { groundTruth: gt.map((g) => g.verdict), detections };
}

export function verdictsFromResult(kind: ResultKind, result: CocoEvalResult, records: readonly ImageRecord[], gtFile: string): EvaluatedResults {
  // One pass over the records' cells (the whole evaluation's, for the report), not one per drawn image.
  const cellsByImage = new Map<number, number[]>(records.map((r) => [r.id, []]));
  const cellImageId = result.matches.cellImageId;
  for (let c = 0; c < cellImageId.length; c++) cellsByImage.get(cellImageId[c]!)?.push(c);
  const perImage = new Map<number, ImageVerdicts>();
  for (const record of records) perImage.set(record.id, imageVerdicts(kind, result.matches, cellsByImage.get(record.id)!, record, gtFile));
  const maxDets = result.params.maxDets[result.params.maxDets.length - 1];
  return {
    metric: metricOf(kind),
    threshold: MATCH_THRESHOLD,
    perImage,
    notEvaluated: { state: 'ignored', note: `not evaluated (beyond ${maxDets} per image and category)` },
  };
}

interface PictureEvaluationInput {
  /** A COCO ground-truth file covering the images; without it the records are converted. */
  gtFile?: string;
  /** The images being drawn. */
  records: readonly ImageRecord[];
  /** Their detections, already read from the results file. */
  results: ImageResults;
}

/**
 * Evaluates one results file on the drawn images. With a ground-truth file,
 * the results file is evaluated as it is (restricted to the images). Without
 * one, the drawn images are converted to a temporary COCO file and their
 * detections written to a temporary results file: matching is per image and
 * category, so the verdicts are those of the whole evaluation.
 */
export async function evaluateForPictures(input: PictureEvaluationInput): Promise<EvaluatedResults> {
  const { records, results } = input;
  const imageIds = records.map((r) => r.id);
  if (input.gtFile) {
    const result = await evaluateCocoFiles(results.kind, input.gtFile, results.file, { imageIds, quiet: true });
    return verdictsFromResult(results.kind, result, records, input.gtFile);
  }
  const dir = await mkdtemp(join(tmpdir(), 'df2-render-'));
  try {
    const gtFile = join(dir, 'ground-truth.json');
    const resultsFile = join(dir, 'results.json');
    await writeCocoFile(iterate(records), gtFile);
    const subset = records.flatMap((r) => results.byImage.get(r.id) ?? []).sort((a, b) => a.index - b.index);
    await writeFileAtomic(resultsFile, JSON.stringify(subset.map((d) => d.raw)));
    // Detections were renumbered in the temporary file: map back to the original indices.
    const original = subset.map((d) => d.index);
    const result = await evaluateCocoFiles(results.kind, gtFile, resultsFile, { imageIds, quiet: true }).catch((err: unknown) => {
      throw inUsersFile(err, resultsFile, results.file, original);
    });
    const evaluated = verdictsFromResult(results.kind, result, records, gtFile);
    for (const verdicts of evaluated.perImage.values()) {
      verdicts.detections = new Map([...verdicts.detections].map(([i, v]) => [original[i]!, v]));
    }
    return evaluated;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * A problem found in the temporary results file, told in terms of the user's
 * file: its name, and the entry's index there (`[3].segmentation` of the
 * subset is `[original[3]].segmentation`).
 */
function inUsersFile(err: unknown, tempFile: string, usersFile: string, original: readonly number[]): unknown {
  if (!(err instanceof InputError) || err.file !== tempFile) return err;
  const entry = err.entry.replace(/^\[(\d+)\]/, (whole, i: string) => {
    const index = original[Number(i)];
    return index === undefined ? whole : `[${index}]`;
  });
  return new InputError(usersFile, entry, err.expected, err.found);
}

async function* iterate<T>(items: readonly T[]): AsyncGenerator<T> {
  yield* items;
}
