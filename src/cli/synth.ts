/**
 * `df2 synth --out DIR --images N --seed S [--predictions] [--json]`: writes a
 * deterministic synthetic split in the release layout (and, with
 * --predictions, imitation model outputs for all four tasks).
 */
import type { Command } from 'commander';
import { MAX_SYNTH_IMAGES as MAX_IMAGES, synthesize, type SynthSummary } from '../synth/index.js';
import { startProgress } from '../util/progress.js';
import { integerOption } from './split-input.js';

interface SynthCliOptions {
  out: string;
  images: number;
  seed: number;
  predictions?: boolean;
  json?: boolean;
  workers: number;
  force?: boolean;
}

const integerIn = (low: number, high: number, what: string): ((value: string) => number) =>
  integerOption(low, high, `expected ${what} (an integer from ${low} to ${high}).`);

export function registerSynth(program: Command): void {
  program
    .command('synth')
    .description('write a deterministic synthetic split (release layout), optionally with imitation predictions')
    .requiredOption('--out <dir>', 'output directory (created; must be new or empty unless --force)')
    .option('--images <n>', 'number of images', integerIn(1, MAX_IMAGES, 'a number of images'), 100)
    .option('--seed <s>', 'random seed: the same seed gives the same bytes', integerIn(0, 0xffffffff, 'a seed'), 1)
    .option('--predictions', 'also write results/{bbox,segm,keypoints}_results.json and retrieval/results.json')
    .option('--workers <n>', 'threads painting JPEGs', integerIn(1, 16, 'a worker count'), 2)
    .option('--force', 'replace an existing non-empty output directory')
    .option('--json', 'print a summary object on stdout (no progress bar)')
    .addHelpText(
      'after',
      `
Writes DIR/image/NNNNNN.jpg and DIR/annos/NNNNNN.json (ids from 000001) with
the release's fields, roughly the release's statistics, and pair groups of
user and shop images. With --predictions also:
  DIR/results/bbox_results.json, segm_results.json, keypoints_results.json
  DIR/retrieval/results.json
Everything is written to a temporary directory and renamed into place at the
end, so DIR is either complete or untouched.

Examples:
  $ df2 synth --out data/synth-small --images 200 --seed 7
  $ df2 synth --out data/synth-val --images 33669 --predictions --json`,
    )
    .action(async (options: SynthCliOptions) => {
      const json = options.json === true;
      const progress = startProgress({ label: 'synthesizing images', total: options.images, quiet: json });
      let summary: SynthSummary;
      try {
        summary = await synthesize({
          out: options.out,
          images: options.images,
          seed: options.seed,
          predictions: options.predictions === true,
          workers: options.workers,
          force: options.force === true,
          progress,
        });
      } finally {
        progress.stop();
      }
      if (json) process.stdout.write(`${JSON.stringify(summary)}\n`);
      else process.stdout.write(`${summaryText(summary)}\n`);
    });
}

function summaryText(s: SynthSummary): string {
  const lines = [`${s.out}: ${s.images} images (${s.userImages} user, ${s.shopImages} shop), ${s.items} items, ${s.pairIds} pair ids, seed ${s.seed}`];
  if (s.predictions) {
    lines.push(`predictions: ${s.predictions.detections} detections, ${s.predictions.retrievalResults} retrieval results`);
  }
  return lines.join('\n');
}
