/**
 * `df2 pairs DIR --out FILE`: every positive consumer-to-shop item pair of a
 * split (and, if asked, sampled negatives) as JSON lines.
 */
import type { Command } from 'commander';
import { PairIndex, writePairsFile } from '../dataset/index.js';
import { refuseOutputsThatAreInputs } from './output-check.js';
import { parseNonNegativeInt, readSplitWithProgress, seconds } from './split-input.js';

export function registerPairs(program: Command): void {
  program
    .command('pairs')
    .description('list consumer-to-shop item pairs (same pair_id, same style > 0) as JSON lines')
    .argument('<dir>', 'split directory holding annos/')
    .requiredOption('--out <file>', 'JSON lines file to write, one pair per line')
    .option('--negatives <k>', 'negatives drawn per positive (shop items of the same category that are not a match)', parseNonNegativeInt, 0)
    .option('--seed <s>', 'seed of the negative sampling', parseNonNegativeInt, 0)
    .option('--json', 'print the counts as JSON (no progress bar)')
    .addHelpText(
      'after',
      `
Each line: {"query_image_id", "query_item", "gallery_image_id", "gallery_item",
"pair_id", "style", "label"}: the user item is the query, the shop item the
gallery item, label 1 for a positive; negatives (label 0) also carry
"gallery_pair_id" and "gallery_style". Positives come grouped by pair_id,
each followed by its negatives. The same seed gives the same file.

Examples:
  $ df2 pairs data/validation --out pairs.jsonl
  $ df2 pairs data/train --out train-pairs.jsonl --negatives 4 --seed 7`,
    )
    .action(async (dir: string, options: { out: string; negatives: number; seed: number; json?: boolean }) => {
      refuseOutputsThatAreInputs('pairs', { splits: [dir], outputs: [['--out', options.out]] });
      const start = performance.now();
      const index = new PairIndex();
      for await (const record of readSplitWithProgress(dir, { label: 'indexing pairs', quiet: options.json })) index.add(record);
      const counts = await writePairsFile(index, options.out, { negatives: options.negatives, seed: options.seed });
      if (counts.negativesPerPositive < options.negatives) {
        process.stderr.write(
          `df2 pairs: --negatives ${options.negatives} is more than the split's ${counts.negativesPerPositive} shop items: drew at most ${counts.negativesPerPositive} per positive\n`,
        );
      }
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ out: options.out, ...counts })}\n`);
        return;
      }
      const lines = [
        `pairs (positive user-shop item pairs): ${counts.positives}`,
        `  query items: ${counts.queryItems}, gallery items: ${counts.galleryItems}, pair_ids: ${counts.pairIds}`,
      ];
      if (options.negatives > 0) {
        const short = counts.negativesShort > 0 ? ` (${counts.negativesShort} fewer than asked: too few shop items)` : '';
        lines.push(`negatives: ${counts.negatives}${short}`);
      }
      lines.push(`${options.out} (${seconds(start)})`);
      process.stdout.write(lines.join('\n') + '\n');
    });
}
