/**
 * `df2 compare A.json B.json --gt G`: paired bootstrap of two results files
 * on the same ground truth (docs/evaluation.md): each figure of A and B,
 * the difference with its interval, the share of resamples in which A is
 * above B, per category, per attribute subset (`--by`, the subsets of
 * `df2 eval --by`), and the images where the two differ most.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { SUBSET_INTERVAL_FIGURES, attributeSubsets, requireCocoAttributes } from '../eval/internal.js';
import {
  COCO_TASKS,
  type CocoComparison,
  type CocoTask,
  type PairedFigure,
  type ImageCounts,
  comparePrepared,
  loadCocoPair,
  loadCocoResults,
  prepareBootstrap,
  preparedImageCounts,
} from '../eval/index.js';
import { ATTRIBUTES, type AttributeName } from '../schema/index.js';
import { collectAttribute } from './attribute-option.js';
import { type CacheCliOptions, addCacheOptions, snapshotCache } from './cache-option.js';
import { type CompareFigureRow, compareHtml } from '../render/index.js';
import { writeFileAtomic } from '../util/atomic.js';
import { StageBars } from './stage-bars.js';
import {
  type ResampleCliOptions,
  addResampleOptions,
  attributeValuesJson,
  checkResampleOptions,
  figureJson,
  resampleOptions,
  resamplingLine,
} from './eval-ci.js';

interface CompareCliOptions extends ResampleCliOptions, CacheCliOptions {
  gt: string;
  task: CocoTask;
  json?: boolean;
  out?: string;
  images: number;
  by?: AttributeName[];
}

const LABELS: Record<CocoTask, string[]> = {
  bbox: ['AP', 'AP50', 'AP75', 'AP small', 'AP medium', 'AP large', 'AR1', 'AR10', 'AR100', 'AR small', 'AR medium', 'AR large'],
  segm: ['AP', 'AP50', 'AP75', 'AP small', 'AP medium', 'AP large', 'AR1', 'AR10', 'AR100', 'AR small', 'AR medium', 'AR large'],
  keypoints: ['AP', 'AP50', 'AP75', 'AP medium', 'AP large', 'AR', 'AR50', 'AR75', 'AR medium', 'AR large'],
};

function taskValue(value: string): CocoTask {
  if (!(COCO_TASKS as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${COCO_TASKS.join(', ')}`);
  return value as CocoTask;
}

function count(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`expected a whole number, found ${JSON.stringify(value)}`);
  return n;
}

export function registerCompare(program: Command): void {
  const command = program
    .command('compare')
    .description('paired bootstrap of two results files: is the difference between two models more than the noise of the image sample?')
    .argument('<a>', 'results of model A (COCO format)')
    .argument('<b>', 'results of model B (COCO format)')
    .requiredOption('--gt <file>', 'COCO ground truth (as written by `df2 convert coco`)')
    .option('--task <task>', `${COCO_TASKS.join('|')}`, taskValue, 'bbox' as CocoTask)
    .option('--json', 'print the comparison as JSON on stdout (no progress)')
    .option('--out <page.html>', 'also write a self-contained HTML page')
    .option('--images <n>', 'list this many images where the two differ most', count, 20)
    .option(
      '--by <attribute>',
      'also compare AP, AP50 and AP75 per value of scale, occlusion, zoom_in, viewpoint or all (repeatable; ground truth from df2 convert coco --attributes)',
      collectAttribute,
    );
  addCacheOptions(command);
  addResampleOptions(command);
  command.addHelpText(
    'after',
    `
Examples:
  $ df2 compare bbox_a.json bbox_b.json --gt val-coco.json
  $ df2 compare kp_a.json kp_b.json --gt val-coco.json --task keypoints --resamples 2000 --seed 7 --out compare.html
  $ df2 compare bbox_a.json bbox_b.json --gt val-coco-attributes.json --by occlusion --by scale

Both files are evaluated on the same resamples of the images (drawn with
replacement, as in \`df2 eval --ci\`); the interval of A - B is the
percentile interval of the per-resample differences. It is about the image
sample: it says nothing about how much a model varies between trainings.
See docs/evaluation.md.
`,
  );
  command.action(async (a: string, b: string, options: CompareCliOptions) => run(a, b, options));
}

/** The headline figures of a subset (as df2 eval --by gives them): summarize()'s first three. */
const SUBSET_LABELS = ['AP', 'AP50', 'AP75'] as const;

/** One attribute value's paired headline figures. */
interface SubsetComparison {
  attribute: AttributeName;
  value: number;
  valueName: string;
  figures: PairedFigure[];
}

interface ImageDifference {
  imageId: number;
  a: { tp: number; fp: number; fn: number };
  b: { tp: number; fp: number; fn: number };
}

async function run(fileA: string, fileB: string, options: CompareCliOptions): Promise<void> {
  checkResampleOptions('compare', options);
  const quiet = options.json === true;
  const task = options.task;
  const bars = new StageBars(quiet);
  const progress = (label: string, done: number, total: number): void => bars.update(label, done, total);
  let cmp: CocoComparison;
  let images: ImageDifference[];
  const attributes = options.by ?? [];
  const subsets: SubsetComparison[] = [];
  try {
    // The ground truth once (from its snapshot when there is one), read alongside A; then B.
    const cache = snapshotCache(options);
    const { gt, results: resultsA } = await loadCocoPair(task, options.gt, fileA, {
      onProgress: (stage, d, t) => progress(stage, d, t),
      ...(cache && { cache }),
    });
    requireCocoAttributes(gt, attributes);
    const resultsB = await loadCocoResults(fileB, gt, [task], { onProgress: (_s, d, t) => progress('reading B', d, t) });
    // Each file matched once: the figures, the resamples and the per-image counts all come from it.
    const preparedA = prepareBootstrap(task, gt, resultsA, { onProgress: (_s, d, t) => progress('matching A', d, t) });
    const preparedB = prepareBootstrap(task, gt, resultsB, { onProgress: (_s, d, t) => progress('matching B', d, t) });
    cmp = await comparePrepared(
      preparedA,
      preparedB,
      resampleOptions(options, (d, t) => progress('resampling', d, t)),
    );
    // Each subset on the same resamples as the whole (the same seed, or the same file; written once, above).
    for (const subset of attributeSubsets(attributes)) {
      const label = `${subset.attribute}=${subset.value}`;
      const a = prepareBootstrap(task, gt, resultsA, { subset, onProgress: (_s, d, t) => progress(`matching A ${label}`, d, t) });
      const b = prepareBootstrap(task, gt, resultsB, { subset, onProgress: (_s, d, t) => progress(`matching B ${label}`, d, t) });
      const paired = await comparePrepared(a, b, { ...resampleOptions(options, (d, t) => progress(`resampling ${label}`, d, t)), writeFile: undefined });
      subsets.push({ ...subset, valueName: ATTRIBUTES[subset.attribute][subset.value - 1]!, figures: paired.stats.slice(0, SUBSET_INTERVAL_FIGURES.length) });
    }
    images = options.images > 0 ? differingImages(preparedImageCounts(preparedA), preparedImageCounts(preparedB), options.images) : [];
  } finally {
    bars.stop();
  }
  const labels = LABELS[task];
  const run = resamplingLine(cmp, options.resampleFile);
  if (options.out !== undefined) {
    const row = (label: string, f: PairedFigure): CompareFigureRow => ({
      label,
      a: f.a.value,
      b: f.b.value,
      difference: f.difference.value,
      low: f.difference.defined > 0 ? f.difference.low : null,
      high: f.difference.defined > 0 ? f.difference.high : null,
      aBeats: f.aBeats,
    });
    await writeFileAtomic(
      options.out,
      compareHtml({
        title: `${task}: A vs B`,
        fileA,
        fileB,
        resampling: run,
        figures: cmp.stats.map((f, j) => row(labels[j] ?? `stats[${j}]`, f)),
        categories: cmp.perCategory.map((c) => row(c.name, c)),
        subsets: subsets.flatMap((sub) => sub.figures.map((f, j) => row(`${sub.attribute} ${sub.valueName}: ${SUBSET_LABELS[j]}`, f))),
        images,
        imageNote: imageNote(task),
      }),
    );
  }
  if (quiet) {
    const paired = (f: PairedFigure): Record<string, unknown> => ({
      a: figureJson(f.a),
      b: figureJson(f.b),
      difference: figureJson(f.difference),
      a_beats: f.aBeats,
      ties: f.ties,
    });
    const json = {
      task,
      a: fileA,
      b: fileB,
      resamples: cmp.count,
      seed: cmp.seed,
      level: cmp.level,
      stats: cmp.stats.map((f, j) => ({ figure: labels[j], ...paired(f) })),
      per_category_ap: cmp.perCategory.map((c) => ({ category_id: c.categoryId, name: c.name, ...paired(c) })),
      ...(subsets.length > 0 && { by: attributeValuesJson(subsets, paired) }),
      images: images.map((i) => ({ image_id: i.imageId, a: i.a, b: i.b })),
      ...(cmp.figures && { figures: cmp.figures }),
    };
    process.stdout.write(`${JSON.stringify(json)}\n`);
    return;
  }
  process.stdout.write(compareText(task, fileA, fileB, cmp, subsets, images, run));
}

function imageNote(task: CocoTask): string {
  return `True positives, false positives and missed ground truth per image at ${task === 'keypoints' ? 'OKS' : 'IoU'} .50, area all (the official matching), ordered by how much the counts of A and B differ.`;
}

/** The images whose per-image counts differ most between A and B (sum of absolute differences; ties by image id). */
function differingImages(a: ImageCounts, b: ImageCounts, limit: number): ImageDifference[] {
  const n = a.imageId.length;
  const distance = (i: number): number => Math.abs(a.tp[i]! - b.tp[i]!) + Math.abs(a.fp[i]! - b.fp[i]!) + Math.abs(a.fn[i]! - b.fn[i]!);
  const order = Array.from({ length: n }, (_, i) => i)
    .filter((i) => distance(i) > 0)
    .sort((x, y) => distance(y) - distance(x) || a.imageId[x]! - a.imageId[y]!)
    .slice(0, limit);
  return order.map((i) => ({
    imageId: a.imageId[i]!,
    a: { tp: a.tp[i]!, fp: a.fp[i]!, fn: a.fn[i]! },
    b: { tp: b.tp[i]!, fp: b.fp[i]!, fn: b.fn[i]! },
  }));
}

function signed(v: number): string {
  if (!Number.isFinite(v)) return '–';
  return `${v >= 0 ? '+' : ''}${v.toFixed(3)}`;
}

function plain(v: number): string {
  return v === -1 ? '-1' : v.toFixed(3);
}

function table(rows: { label: string; f: PairedFigure }[], first: string): string[] {
  const width = Math.max(first.length, ...rows.map((r) => r.label.length));
  const out = [`  ${first.padEnd(width)}  ${'A'.padStart(6)}  ${'B'.padStart(6)}  ${'A - B'.padStart(7)}  ${'interval'.padEnd(18)}  A above B`];
  for (const { label, f } of rows) {
    const d = f.difference;
    const interval = d.defined > 0 ? `[${signed(d.low)}, ${signed(d.high)}]` : '[undefined]';
    const significant = d.defined > 0 && (d.low > 0 || d.high < 0) ? ' *' : '';
    const share = Number.isFinite(f.aBeats) ? `${(100 * f.aBeats).toFixed(1)}%` : '–';
    out.push(
      `  ${label.padEnd(width)}  ${plain(f.a.value).padStart(6)}  ${plain(f.b.value).padStart(6)}  ${signed(d.value).padStart(7)}  ${interval.padEnd(18)}  ${share.padStart(9)}${significant}`,
    );
  }
  return out;
}

function compareText(
  task: CocoTask,
  fileA: string,
  fileB: string,
  cmp: CocoComparison,
  subsets: readonly SubsetComparison[],
  images: readonly ImageDifference[],
  run: string,
): string {
  const labels = LABELS[task];
  const lines = [`${task}: A = ${fileA}`, `${' '.repeat(task.length)}  B = ${fileB}`, `${run}; * = the interval of A - B excludes 0`, ''];
  lines.push(
    ...table(
      cmp.stats.map((f, j) => ({ label: labels[j] ?? `stats[${j}]`, f })),
      'figure',
    ),
  );
  lines.push('', 'AP per category:');
  lines.push(
    ...table(
      cmp.perCategory.map((c) => ({ label: c.name, f: c })),
      'category',
    ),
  );
  if (subsets.length > 0) {
    lines.push('', 'By attribute (only ground truth with the value counts, as df2 eval --by):');
    lines.push(
      ...table(
        subsets.flatMap((sub) => sub.figures.map((f, j) => ({ label: `${sub.attribute} ${sub.valueName}: ${SUBSET_LABELS[j]}`, f }))),
        'subset',
      ),
    );
  }
  if (images.length > 0) {
    lines.push('', `Images where the two differ most (tp / fp / fn at ${task === 'keypoints' ? 'OKS' : 'IoU'} .50, area all):`);
    lines.push(`  ${'image'.padStart(8)}  ${'A'.padStart(11)}  ${'B'.padStart(11)}`);
    const counts = (c: { tp: number; fp: number; fn: number }): string => `${c.tp} / ${c.fp} / ${c.fn}`;
    for (const i of images) lines.push(`  ${String(i.imageId).padStart(8)}  ${counts(i.a).padStart(11)}  ${counts(i.b).padStart(11)}`);
  }
  return `${lines.join('\n')}\n`;
}
