/**
 * `df2 eval bbox|segm|keypoints --results a.json b.json ...`: the ground
 * truth is loaded once (from its snapshot when there is one), then each
 * results file is read and evaluated in turn; one row of summary figures
 * per file, as a table, as JSON (`--json`) or as CSV (`--csv FILE`). Each
 * row's figures are those of `df2 eval` of that file alone.
 */
import {
  CocoEvaluator,
  type CocoEvalResult,
  type CocoTask,
  type SnapshotCacheOptions,
  cocoReportJson,
  cocoResultsWarnings,
  loadCocoGroundTruth,
  loadCocoResults,
} from '../eval/index.js';
import { pyFixed } from '../eval/internal.js';
import { writeFileAtomic } from '../util/atomic.js';
import { startProgress } from '../util/progress.js';

const BOX_STAT_NAMES = ['AP', 'AP50', 'AP75', 'APs', 'APm', 'APl', 'AR1', 'AR10', 'AR100', 'ARs', 'ARm', 'ARl'];
const KEYPOINT_STAT_NAMES = ['AP', 'AP50', 'AP75', 'APm', 'APl', 'AR', 'AR50', 'AR75', 'ARm', 'ARl'];

/** The names of summarize()'s figures of a task, in order. */
const statNamesOf = (task: CocoTask): string[] => (task === 'keypoints' ? KEYPOINT_STAT_NAMES : BOX_STAT_NAMES);

interface ManyOptions {
  gt: string;
  files: readonly string[];
  json: boolean;
  csv?: string;
  cache?: SnapshotCacheOptions;
}

interface FileFigures {
  file: string;
  result: CocoEvalResult;
}

/** Evaluates every file against one load of the ground truth; prints the rows (and writes the CSV). */
export async function evaluateMany(task: CocoTask, options: ManyOptions): Promise<void> {
  const quiet = options.json;
  const reading = startProgress({ label: 'reading ground truth', total: 1, quiet, unit: 'bytes' });
  let rows: FileFigures[];
  const warnings: string[] = [];
  try {
    const gt = await loadCocoGroundTruth(options.gt, [task], {
      cache: options.cache,
      onProgress: (_stage, done, total) => {
        reading.setTotal(total);
        reading.update(done);
      },
    });
    reading.stop();
    const bar = startProgress({ label: 'results files', total: options.files.length, quiet, unit: 'items' });
    rows = [];
    try {
      for (const file of options.files) {
        const results = await loadCocoResults(file, gt, [task]);
        for (const line of cocoResultsWarnings(task, results)) warnings.push(`${file}: ${line}`);
        const evaluator = CocoEvaluator.create(task, gt, results);
        try {
          rows.push({ file, result: await evaluator.evaluate({ quiet: true, matches: false }) });
        } finally {
          await evaluator.close();
        }
        bar.update(rows.length);
      }
    } finally {
      bar.stop();
    }
  } finally {
    reading.stop();
  }
  if (options.csv !== undefined) await writeFileAtomic(options.csv, manyCsv(task, rows));
  for (const line of warnings) process.stderr.write(`df2: warning: ${line}\n`);
  process.stdout.write(quiet ? `${JSON.stringify(manyJson(task, options.gt, rows))}\n` : manyTable(task, rows));
}

/** `--json`: the task, the ground truth, and per file what `df2 eval --json` of that file alone prints. */
function manyJson(task: CocoTask, gt: string, rows: readonly FileFigures[]): unknown {
  return { task, gt, results: rows.map(({ file, result }) => ({ file, ...cocoReportJson(result) })) };
}

/** A header line and a row per file, the figures to 3 decimals as the summary lines print them. */
function manyTable(task: CocoTask, rows: readonly FileFigures[]): string {
  const names = statNamesOf(task);
  const width = Math.max(7, ...rows.map((r) => r.file.length));
  const cell = (s: string): string => s.padStart(Math.max(6, s.length));
  const lines = [`${'results'.padEnd(width)} ${names.map(cell).join(' ')}`];
  for (const { file, result } of rows)
    lines.push(`${file.padEnd(width)} ${result.stats.map((v, i) => pyFixed(v, 3).padStart(Math.max(6, names[i]!.length))).join(' ')}`);
  return `${lines.join('\n')}\n`;
}

/** CSV (RFC 4180): `file` and the figures at full precision. */
function manyCsv(task: CocoTask, rows: readonly FileFigures[]): string {
  const quote = (s: string): string => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = [['file', ...statNamesOf(task)].join(',')];
  for (const { file, result } of rows) lines.push([quote(file), ...result.stats.map(String)].join(','));
  return `${lines.join('\r\n')}\r\n`;
}
