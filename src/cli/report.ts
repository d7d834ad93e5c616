/**
 * `df2 report`: one self-contained HTML evaluation report (figures, curves,
 * per-attribute tables, score histograms, the worst images, retrieval).
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { COCO_TASKS, type CocoTask } from '../eval/index.js';
import { UsageError } from '../util/errors.js';
import { refuseOutputsThatAreInputs } from './output-check.js';
import { checkSplitDirs } from './split-input.js';
import { startProgress } from '../util/progress.js';
import { addDrawOptions } from './eval-ci.js';

interface ReportCliOptions {
  gt?: string;
  results: string[];
  task: CocoTask[];
  query?: string;
  gallery?: string;
  retrievalResults?: string;
  data?: string;
  out: string;
  title?: string;
  quiet?: boolean;
  ci?: boolean;
  resamples: number;
  seed: number;
  level: number;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function collectTask(value: string, previous: CocoTask[]): CocoTask[] {
  if (!(COCO_TASKS as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${COCO_TASKS.join(', ')}`);
  return [...previous, value as CocoTask];
}

export function registerReport(program: Command): void {
  const command = program
    .command('report')
    .description('write one self-contained HTML evaluation report (figures, curves, attributes, worst images, retrieval)')
    .option('--gt <coco.json>', 'COCO ground truth (from df2 convert coco; with --attributes for the per-attribute tables)')
    .addOption(new Option('--results <file>', 'bbox, segm or keypoints results; repeatable, one section each').argParser(collect).default([], 'none'))
    .addOption(new Option('--task <task>', 'task of each --results file, in the same order').argParser(collectTask).default([], 'read from the fields'))
    .option('--query <file>', 'retrieval query ground truth (with --gallery and --retrieval-results)')
    .option('--gallery <file>', 'retrieval gallery ground truth')
    .option('--retrieval-results <file>', 'retrieval results')
    .option('--data <dir>', 'the split (annos/ and image/): adds the 24 worst images of each task and retrieval examples')
    .option('--out <file>', 'the HTML file to write', 'report.html')
    .option('--title <text>', 'title of the report')
    .option('--quiet', 'no progress and no closing line')
    .option('--ci', 'bootstrap intervals of every figure, as df2 eval --ci (see --resamples, --seed, --level)');
  addDrawOptions(command)
    .addHelpText(
      'after',
      `
The figures come from the same engine as df2 eval and equal df2 eval --json.
The page has no scripts and fetches nothing: charts are inline SVG, pictures
data: URIs, so it opens offline and can be sent as one file.

Examples:
  $ df2 report --gt val-coco.json --results bbox_results.json --out report.html
  $ df2 report --gt val-coco-attributes.json --results bbox.json --results segm.json --results keypoints.json --data data/validation
  $ df2 report --query val_query.json --gallery val_gallery.json --retrieval-results retrieval.json --data data/validation --out retrieval.html
  $ df2 report --gt val-coco.json --results bbox_results.json --ci --resamples 1000 --seed 1 --out report.html`,
    )
    .action(async (options: ReportCliOptions) => {
      const { query, gallery, retrievalResults } = options;
      const retrieval =
        query !== undefined && gallery !== undefined && retrievalResults !== undefined ? { query, gallery, results: retrievalResults } : undefined;
      if (!retrieval && (query ?? gallery ?? retrievalResults) !== undefined) {
        throw new UsageError('report', '--query/--gallery/--retrieval-results', 'all three retrieval files together', 'only some');
      }
      if (options.results.length > 0 && !options.gt) throw new UsageError('report', '--gt', 'a COCO ground-truth file for the --results', 'none');
      if (options.results.length === 0 && !retrieval)
        throw new UsageError('report', '--results', 'results to report on (--results, or the three retrieval files)', 'none');
      if (options.task.length > 0 && options.task.length !== options.results.length) {
        throw new UsageError('report', '--task', `one --task per --results (${options.results.length})`, String(options.task.length));
      }
      await checkSplitDirs(options.data ? [options.data] : []);
      refuseOutputsThatAreInputs('report', {
        inputFiles: [options.gt, ...options.results, options.query, options.gallery, options.retrievalResults],
        splits: options.data ? [options.data] : [],
        outputs: [['--out', options.out]],
      });
      // Loaded here, not at start-up: the evaluation engine (and, for pictures, the canvas library) is only needed once a report is made.
      const { detectResultsKind, writeReport } = await import('../render/index.js');
      const tasks = [];
      for (const [i, file] of options.results.entries()) tasks.push({ task: options.task[i] ?? (await detectResultsKind(file)), resultsFile: file });

      const progress = startProgress({ label: 'evaluating', total: 1, quiet: options.quiet });
      let bytes: number;
      try {
        bytes = await writeReport(options.out, {
          gtFile: options.gt ?? '',
          tasks,
          ...(retrieval ? { retrieval } : {}),
          ...(options.title ? { title: options.title } : {}),
          ...(options.data ? { dataDir: options.data } : {}),
          ...(options.ci ? { intervals: { resamples: options.resamples, seed: options.seed, level: options.level } } : {}),
          onWarning: (line) => process.stderr.write(`df2: warning: ${line}\n`),
          onProgress: (_stage, done, total) => {
            progress.setTotal(total);
            progress.update(done);
          },
        });
      } finally {
        progress.stop();
      }
      if (!options.quiet) process.stdout.write(`${options.out} (${(bytes / 1024).toFixed(0)} KB)\n`);
    });
}
