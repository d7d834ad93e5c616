/**
 * `df2 eval <task>`: one parent command whose subcommands are the four tasks.
 * COCO-style tasks (bbox, segm, keypoints) are wired in eval-coco.ts,
 * retrieval in eval-retrieval.ts.
 */
import type { Command } from 'commander';
import { registerCocoEval } from './eval-coco.js';
import { registerRetrievalEval } from './eval-retrieval.js';

export function registerEval(program: Command): void {
  const evalCommand = program
    .command('eval')
    .description('evaluate results with the official DeepFashion2 figures (bbox, segm, keypoints, retrieval)')
    .addHelpText(
      'after',
      `
Examples:
  $ df2 eval bbox --gt val-coco.json --results bbox_results.json
  $ df2 eval keypoints --gt val-coco-attributes.json --results keypoints_results.json --by all --json
  $ df2 eval retrieval --query val_query.json --gallery val_gallery.json --results retrieval.json`,
    );
  registerCocoEval(evalCommand);
  registerRetrievalEval(evalCommand);
}
