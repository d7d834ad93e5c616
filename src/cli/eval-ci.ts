/**
 * `--ci` for `df2 eval bbox|segm|keypoints|retrieval` and the options it
 * shares with `df2 compare`: bootstrap over images (docs/evaluation.md).
 */
import { InvalidArgumentError, type Command } from 'commander';
import { UsageError } from '../util/errors.js';
import {
  type RetrievalBootstrap,
  type CocoBootstrap,
  type FigureInterval,
  type ResampleOptions,
  type RetrievalSubsetIntervals,
  type SubsetIntervals,
} from '../eval/index.js';
import { SUBSET_INTERVAL_FIGURES } from '../eval/internal.js';
import { type SummaryLine, formatSummaryLine, paramsFor } from '../eval/internal.js';

export interface ResampleCliOptions {
  ci?: boolean;
  resamples: number;
  seed: number;
  level: number;
  resampleFile?: string;
  writeResamples?: string;
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1)
    throw new InvalidArgumentError(`expected a positive integer, found ${JSON.stringify(value)}`);
  return n;
}

function seedValue(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n > 0xffffffff) throw new InvalidArgumentError(`expected an integer from 0 to 4294967295, found ${JSON.stringify(value)}`);
  return n;
}

function levelValue(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !(n > 0 && n < 1)) throw new InvalidArgumentError(`expected a number between 0 and 1 (e.g. 0.95), found ${JSON.stringify(value)}`);
  return n;
}

/** --resamples, --seed and --level: how the resamples are drawn and the intervals read. */
export function addDrawOptions(command: Command): Command {
  return command
    .option('--resamples <n>', 'number of bootstrap resamples of the images', positiveInteger, 1000)
    .option('--seed <n>', 'seed of the resamples (the same seed gives the same resamples and intervals)', seedValue, 0)
    .option('--level <p>', 'level of the percentile intervals', levelValue, 0.95);
}

/** The resampling options (without --ci, which `df2 compare` does not need). */
export function addResampleOptions(command: Command): Command {
  return addDrawOptions(command)
    .option('--resample-file <file>', 'read the resamples from this JSON array of image-id lists instead of drawing them (their figures go in --json)')
    .option('--write-resamples <file>', 'write the resamples drawn to this file (a JSON array of image-id lists)');
}

export function addCiOptions(command: Command): Command {
  return addResampleOptions(command.option('--ci', 'bootstrap intervals of every figure: resample the images with replacement (see --resamples)'));
}

/** Options that do not go together: checked before any file is read. */
export function checkResampleOptions(command: string, options: ResampleCliOptions): void {
  if (options.resampleFile !== undefined && options.writeResamples !== undefined)
    throw new UsageError(command, '--write-resamples', 'no --resample-file (the lists read are already in a file)', options.resampleFile);
}

/** The library options of the CLI options. */
export function resampleOptions(options: ResampleCliOptions, onProgress?: (done: number, total: number) => void): ResampleOptions {
  return {
    resamples: options.resamples,
    seed: options.seed,
    level: options.level,
    file: options.resampleFile,
    writeFile: options.writeResamples,
    onProgress,
  };
}

/** "1000 resamples of the images (seed 0), 95% percentile intervals". */
export function resamplingLine(run: { count: number; seed: number | null; level: number }, file?: string): string {
  const source = run.seed === null ? `read from ${file ?? 'a file'}` : `seed ${run.seed}`;
  return `${run.count} bootstrap resamples of the images (${source}), ${formatLevel(run.level)} percentile intervals`;
}

function formatLevel(level: number): string {
  return `${+(level * 100).toFixed(6)}%`;
}

function intervalText(f: { low: number; high: number; defined: number }, digits = 3): string {
  if (f.defined === 0) return '[undefined]';
  return `[${f.low.toFixed(digits)}, ${f.high.toFixed(digits)}]`;
}

const plainFigure = (v: number): string => (v === -1 ? '   -1' : v.toFixed(3));

/**
 * The summary lines as pycocotools prints them, each followed by its interval, then per-category AP with intervals,
 * then (--by) AP, AP50 and AP75 of each attribute value with theirs.
 */
export function cocoIntervalsText(ci: CocoBootstrap, summary: readonly SummaryLine[], file?: string, subsets?: readonly SubsetIntervals[]): string {
  const params = paramsFor(ci.task);
  const lines = [``, resamplingLine(ci, file) + ':'];
  summary.forEach((line, j) => lines.push(`${formatSummaryLine(params, line)}  ${intervalText(ci.stats[j]!)}`));
  lines.push('', 'AP per category, with intervals:');
  const width = Math.max(...ci.perCategory.map((c) => c.name.length));
  for (const c of ci.perCategory) lines.push(`  ${c.name.padEnd(width)}  ${plainFigure(c.value)}  ${intervalText(c)}`);
  if (subsets && subsets.length > 0) {
    lines.push('', 'By attribute, with intervals (only ground truth with the value counts, as --by):');
    const labels = subsets.map((s) => `${s.attribute} ${s.valueName}`);
    const w = Math.max(...labels.map((l) => l.length));
    subsets.forEach((s, i) => {
      const cells = s.figures.map((f, j) => `${SUBSET_LABELS[j]} ${plainFigure(f.value)} ${intervalText(f).padEnd(14)}`);
      lines.push(`  ${labels[i]!.padEnd(w)}  ${cells.join('  ').trimEnd()}`);
    });
  }
  return `${lines.join('\n')}\n`;
}

const SUBSET_LABELS = ['AP', 'AP50', 'AP75'] as const;

/**
 * The `by` member of --json, as df2 eval --by lays out its figures: attribute, then value "1".."3",
 * then ap, ap50, ap75 (SUBSET_INTERVAL_FIGURES), each figure as `figure` writes it. df2 eval --ci
 * writes intervals there, df2 compare paired differences.
 */
export function attributeValuesJson<F>(
  subsets: readonly { attribute: string; value: number; valueName: string; figures: readonly F[] }[],
  figure: (f: F) => unknown,
): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const s of subsets) {
    (out[s.attribute] ??= {})[String(s.value)] = {
      value_name: s.valueName,
      ...Object.fromEntries(s.figures.map((f, j) => [SUBSET_INTERVAL_FIGURES[j], figure(f)])),
    };
  }
  return out;
}

function figureJson(f: FigureInterval): { value: number; low: number | null; high: number | null; defined: number } {
  return { value: f.value, low: f.defined > 0 ? f.low : null, high: f.defined > 0 ? f.high : null, defined: f.defined };
}

/** The `intervals` member of `--json` (with --by, its `by` member). */
export function cocoIntervalsJson(ci: CocoBootstrap, subsets?: readonly SubsetIntervals[]): Record<string, unknown> {
  return {
    resamples: ci.count,
    seed: ci.seed,
    level: ci.level,
    stats: ci.stats.map(figureJson),
    per_category_ap: ci.perCategory.map((c) => ({ category_id: c.categoryId, ...figureJson(c) })),
    ...(subsets && subsets.length > 0 && { by: attributeValuesJson(subsets, figureJson) }),
    ...(ci.figures && { figures: ci.figures }),
  };
}

export { figureJson };

/** Top-k accuracy with intervals (retrieval); with --by, each attribute value's. */
export function retrievalIntervalsText(ci: RetrievalBootstrap, file?: string, subsets?: readonly RetrievalSubsetIntervals[]): string {
  const lines = ['', `${resamplingLine(ci, file)} (query images):`];
  for (const f of ci.figures) lines.push(`  ${f.name.padEnd(6)} ${plainFigure(f.value)}  ${intervalText(f)}`);
  if (subsets && subsets.length > 0) {
    lines.push('', 'By attribute, with intervals (the queries with the value, as --by):');
    const labels = subsets.map((s) => `${s.attribute} ${s.valueName}`);
    const w = Math.max(...labels.map((l) => l.length));
    subsets.forEach((s, i) => {
      const cells = s.figures.map((f) => `${f.name} ${plainFigure(f.value)} ${intervalText(f).padEnd(14)}`);
      lines.push(`  ${labels[i]!.padEnd(w)}  ${cells.join('  ').trimEnd()}`);
    });
  }
  return `${lines.join('\n')}\n`;
}

/** The `intervals` member of `df2 eval retrieval --json` (with --by, its `by` member: attribute, value "1".."3", top1..top20). */
export function retrievalIntervalsJson(ci: RetrievalBootstrap, subsets?: readonly RetrievalSubsetIntervals[]): Record<string, unknown> {
  const by: Record<string, Record<string, unknown>> = {};
  for (const s of subsets ?? [])
    (by[s.attribute] ??= {})[String(s.value)] = { value_name: s.valueName, ...Object.fromEntries(s.figures.map((f) => [f.name, figureJson(f)])) };
  return {
    resamples: ci.count,
    seed: ci.seed,
    level: ci.level,
    ...Object.fromEntries(ci.figures.map((f) => [f.name, figureJson(f)])),
    ...(subsets && subsets.length > 0 && { by }),
    ...(ci.lists && { figures: ci.lists }),
  };
}
