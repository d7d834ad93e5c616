/**
 * `df2 eval bbox|segm|keypoints`: the official DeepFashion2 figures for
 * detection, segmentation and landmark results in COCO format, optionally
 * broken down by item attribute, with error analysis (TIDE, confusion
 * matrix, per-image counts; for landmarks, the landmark error analysis).
 */
import { InvalidArgumentError, type Command } from 'commander';
import {
  CocoEvaluator,
  cocoReportJson,
  cocoReportText,
  loadCocoPair,
  type CocoTask,
  confusionMatrix,
  confusionReportText,
  perImageCounts,
  perImageRows,
  tideErrors,
  tideReportText,
  keypointErrorAnalysis,
  keypointErrorsJson,
  keypointErrorsText,
  type KeypointErrorAnalysis,
  type ConfusionMatrix,
  type TideErrors,
  cocoResultsWarnings,
  bootstrapPrepared,
  bootstrapSubsets,
  prepareBootstrap,
  type CocoBootstrap,
  type SubsetIntervals,
} from '../eval/index.js';
import { requireCocoAttributes as requireAttributes, groupByImage, perImageLandmarkRows, prestartHelperThread } from '../eval/internal.js';
import { statSync } from 'node:fs';
import { evaluateMany } from './eval-coco-many.js';
import { expandResultsFiles } from './results-files.js';
import { UsageError } from '../util/errors.js';
import { type ResampleCliOptions, addCiOptions, checkResampleOptions, cocoIntervalsJson, cocoIntervalsText, resampleOptions } from './eval-ci.js';
import { ATTRIBUTE_NAMES, type AttributeName } from '../schema/index.js';
import { collectAttribute } from './attribute-option.js';
import { type CacheCliOptions, addCacheOptions, snapshotCache } from './cache-option.js';
import { StageBars } from './stage-bars.js';
import { writeFileAtomic } from '../util/atomic.js';

interface CocoEvalCliOptions extends ResampleCliOptions, CacheCliOptions {
  gt: string;
  results: string[];
  csv?: string;
  json?: boolean;
  by?: AttributeName[];
  errors?: boolean;
  confusion?: boolean;
  conf: number;
  iou: number;
  perImage?: string;
}

/** A number in [0, 1] (a score or IoU threshold). */
function fraction(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1)
    throw new InvalidArgumentError(`expected a number from 0 to 1, found ${JSON.stringify(value)}`);
  return n;
}

const DESCRIPTIONS: Record<CocoTask, string> = {
  bbox: 'clothes detection: box AP/AR of COCO-format results (official DeepFashion2 figures)',
  segm: 'clothes segmentation: mask AP/AR of COCO-format results (official DeepFashion2 figures)',
  keypoints: 'landmark estimation: OKS AP/AR of COCO-format keypoint results (official DeepFashion2 figures)',
};

export function registerCocoEval(evalCommand: Command): void {
  for (const task of ['bbox', 'segm', 'keypoints'] as const) {
    const command = evalCommand
      .command(task)
      .description(DESCRIPTIONS[task])
      .requiredOption('--gt <file>', 'COCO ground truth (as written by `df2 convert coco`)')
      .requiredOption(
        '--results <files...>',
        `${task} results: a JSON list of {"image_id", "category_id", "score", ...}; several files (or a pattern such as 'runs/*.json'): one row of figures per file`,
      )
      .option('--json', 'print the figures as JSON on stdout (no progress)')
      .option('--csv <file>', 'also write one CSV row of figures per results file (file, then the summary figures)')
      .option(
        '--by <attribute>',
        `also give AP, AP50, AP75 per value of ${ATTRIBUTE_NAMES.join('|')} or all (repeatable; needs a ground truth with attributes)`,
        collectAttribute,
      )
      .option(
        '--per-image <file>',
        `write [{"image_id", "tp", "fp", "fn"${task === 'keypoints' ? ', "detections"' : ''}}] per image of the ground truth (official matching at ${task === 'keypoints' ? 'OKS .50, area all; detections: landmark kinds of each detection matched at OKS 0.1' : 'IoU .50, area all'})`,
      );
    addCacheOptions(command);
    addCiOptions(command);
    if (task === 'keypoints') {
      command.option('--errors', 'also give the landmark error analysis (good / jitter / inversion / swap / miss; AP after correcting each)');
    } else {
      command
        .option('--errors', 'also give the TIDE error breakdown (dAP of cls, loc, both, dupe, bkg, miss; false_pos, false_neg)')
        .option('--confusion', 'also give the 14 x 14 detection confusion matrix (13 categories + background; boxes)')
        .option('--conf <score>', 'confusion matrix: detections with a score above this', fraction, 0.25)
        .option('--iou <iou>', 'confusion matrix: pairs with a box IoU above this match', fraction, 0.45);
    }
    command.addHelpText('after', helpText(task)).action(async (options: CocoEvalCliOptions) => run(task, options));
  }
}

function helpText(task: CocoTask): string {
  const gt = task === 'keypoints' ? 'keypoints_val_vis_and_occ.json' : 'val-coco.json';
  return `
Examples:
  $ df2 eval ${task} --gt ${gt} --results ${task}_results.json
  $ df2 eval ${task} --gt val-coco-attributes.json --results ${task}_results.json --by occlusion --by scale
  $ df2 eval ${task} --gt val-coco-attributes.json --results ${task}_results.json --by all --json
  $ df2 eval ${task} --gt ${gt} --results ${task}_results.json ${task === 'keypoints' ? '--errors ' : '--errors --confusion '}--per-image per-image.json
  $ df2 eval ${task} --gt ${gt} --results runs/*.json --csv figures.csv

The first run on a ground-truth file writes a snapshot of it to the cache
folder; later runs read that instead of the JSON while the file is unchanged
(see docs/evaluation.md).
  $ df2 eval ${task} --gt ${gt} --results ${task}_results.json --ci --resamples 1000 --seed 1

The figures are those of the release's evaluation API (deepfashion2_api, a
pycocotools fork): ${
    task === 'keypoints'
      ? 'OKS with the 294 DeepFashion2 sigmas, up to 20 detections per image,\narea ranges all / medium / large'
      : 'IoU thresholds .50:.05:.95, up to 1 / 10 / 100 detections per image,\narea ranges all / small / medium / large'
  }. Per-attribute figures ignore ground
truth with another value of the attribute (and detections matched to it);
they need a ground truth written by \`df2 convert coco --attributes\`.${
    task === 'keypoints'
      ? `

--errors follows coco-analyze (Ronchi and Perona, ICCV 2017) for DeepFashion2:
each labelled landmark of a detection matched at OKS 0.1 is good, jitter,
inversion (on its flip partner), swap (on another item) or miss, and AP is
given after correcting misses, swaps, inversions, jitter, scores, background
false positives and false negatives in turn. See docs/errors.md.`
      : `

--errors follows tidecv 1.0.1 (its own AP at IoU .5, 101 recall points, up to
100 detections per image, no area ranges); --confusion follows Ultralytics'
detection ConfusionMatrix (matrix[pred][gt], last row and column background).
See docs/errors.md.`
  }
`;
}

async function run(task: CocoTask, options: CocoEvalCliOptions): Promise<void> {
  checkResampleOptions(`eval ${task}`, options);
  const files = expandResultsFiles(`eval ${task}`, options.results);
  if (files.length > 1 || options.csv !== undefined) {
    for (const [option, given] of [
      ['--by', options.by !== undefined],
      ['--errors', options.errors],
      ['--confusion', options.confusion],
      ['--per-image', options.perImage !== undefined],
      ['--ci', options.ci === true || options.resampleFile !== undefined],
    ] as const) {
      if (given)
        throw new UsageError(`eval ${task}`, option, 'one results file and no --csv', `${files.length} results files${options.csv ? ' and --csv' : ''}`);
    }
    return evaluateMany(task, { gt: options.gt, files, json: options.json === true, csv: options.csv, cache: snapshotCache(options) });
  }
  return runOne(task, { ...options, results: files });
}

/**
 * Whether the files are large enough for an evaluation on two threads
 * (CocoEvaluator decides on the counts once they are read; this guesses from
 * the sizes, to start the second thread while they are read). An unreadable
 * file says no: the reader names the problem.
 */
function likelyLarge(gt: string, results: string): boolean {
  const bytes = (file: string): number => statSync(file, { throwIfNoEntry: false })?.size ?? 0;
  return bytes(results) >= 2 << 20 || bytes(gt) >= 64 << 20;
}

async function runOne(task: CocoTask, options: CocoEvalCliOptions): Promise<void> {
  if (likelyLarge(options.gt, options.results[0]!)) prestartHelperThread();
  const quiet = options.json === true;
  const attributes = options.by ?? [];
  const bars = new StageBars(quiet);
  let text: string;
  let warnings: string[];
  try {
    // The confusion matrix of segm results reads boxes: load them too.
    const extraTasks = task === 'segm' && options.confusion ? (['bbox'] as const) : [];
    const { gt, results } = await loadCocoPair(task, options.gt, options.results[0]!, {
      onProgress: (stage, done, total) => bars.update(stage, done, total),
      extraTasks,
      cache: snapshotCache(options),
    });
    requireAttributes(gt, attributes);
    warnings = cocoResultsWarnings(task, results);
    const K = gt.categories.id.length;
    const runs = 1 + 3 * attributes.length;
    let finished = 0;
    const onProgress = (_stage: string, done: number): void => {
      bars.update('evaluating', finished * K + done, runs * K);
      if (done === K) finished++;
    };
    const evaluator = CocoEvaluator.create(task, gt, results);
    try {
      const result = await evaluator.evaluate({ quiet, onProgress, matches: options.perImage !== undefined });
      const by = attributes.length > 0 ? await evaluator.evaluateByAttribute(attributes, { quiet, onProgress }) : undefined;
      // Error analysis: one grouping of both files by image serves TIDE and the confusion matrix.
      let errors: TideErrors | undefined;
      let confusion: ConfusionMatrix | undefined;
      if (task !== 'keypoints' && (options.errors || options.confusion)) {
        const groups = groupByImage(gt, results);
        if (options.errors) errors = tideErrors(task, gt, results, { groups });
        if (options.confusion) confusion = confusionMatrix(gt, results, { groups, conf: options.conf, iou: options.iou });
      }
      let ci: CocoBootstrap | undefined;
      let subsetIntervals: SubsetIntervals[] | undefined;
      if (options.ci || options.resampleFile !== undefined) {
        const prepared = prepareBootstrap(task, gt, results, { onProgress: (_stage, done, total) => bars.update('matching', done, total) });
        ci = await bootstrapPrepared(
          prepared,
          resampleOptions(options, (done, total) => bars.update('resampling', done, total)),
        );
        // --by: each subset on the same resamples (the same seed, or the same file; written once, above).
        if (attributes.length > 0) {
          subsetIntervals = await bootstrapSubsets(task, gt, results, attributes, {
            resamples: options.resamples,
            seed: options.seed,
            level: options.level,
            file: options.resampleFile,
            onProgress: (stage, label, done, total) => bars.update(`${stage} ${label}`, done, total),
          });
        }
      }
      // Landmark errors: for --errors, and per detection in --per-image.
      let landmarkErrors: KeypointErrorAnalysis | undefined;
      if (task === 'keypoints' && (options.errors || options.perImage !== undefined)) {
        landmarkErrors = keypointErrorAnalysis(gt, results, { onProgress: (done, total) => bars.update('landmark errors', done, total) });
      }
      if (options.perImage !== undefined) {
        const rows = perImageRows(perImageCounts(result));
        await writeFileAtomic(options.perImage, `${JSON.stringify(landmarkErrors ? perImageLandmarkRows(rows, landmarkErrors) : rows)}\n`);
      }
      const kpErrors = options.errors && landmarkErrors;
      if (quiet) {
        const errorsJson = errors ?? (kpErrors ? keypointErrorsJson(kpErrors) : undefined);
        text = `${JSON.stringify({ ...cocoReportJson(result, by), ...(errorsJson && { errors: errorsJson }), ...(confusion && { confusion }), ...(ci && { intervals: cocoIntervalsJson(ci, subsetIntervals) }) })}\n`;
      } else {
        text = cocoReportText(result, by);
        if (ci) text += cocoIntervalsText(ci, result.summary, options.resampleFile, subsetIntervals);
        if (errors) text += `\n${tideReportText(task, errors)}`;
        if (kpErrors) text += `\n${keypointErrorsText(kpErrors)}`;
        if (confusion)
          text += `\n${confusionReportText(confusion, new Map(gt.categories.id.map((id, i) => [id, gt.categories.name[i]!])), options.conf, options.iou)}`;
      }
    } finally {
      await evaluator.close();
    }
  } finally {
    bars.stop();
  }
  for (const line of warnings) process.stderr.write(`df2: warning: ${line}\n`);
  process.stdout.write(text);
}
