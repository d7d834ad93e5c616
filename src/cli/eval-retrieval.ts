/**
 * `df2 eval retrieval`: top-k accuracy of consumer-to-shop retrieval results
 * under the release's protocol, optionally broken down by item attribute.
 */
import type { Command } from 'commander';
import { ATTRIBUTE_NAMES, type AttributeName } from '../schema/index.js';
import { collectAttribute } from './attribute-option.js';
import {
  bootstrapRetrieval,
  bootstrapRetrievalSubsets,
  evaluateRetrieval,
  loadRetrievalInputs,
  type RetrievalBootstrap,
  type RetrievalSubsetIntervals,
} from '../eval/index.js';
import { type ResampleCliOptions, addCiOptions, checkResampleOptions, retrievalIntervalsJson, retrievalIntervalsText, resampleOptions } from './eval-ci.js';
import { retrievalJson, retrievalText } from '../eval/index.js';
import { warningLines } from '../eval/internal.js';
import { startProgress } from '../util/progress.js';

interface RetrievalEvalOptions extends ResampleCliOptions {
  query: string;
  gallery: string;
  results: string;
  json?: boolean;
  by?: AttributeName[];
}

export function registerRetrievalEval(evalCommand: Command): void {
  const command = evalCommand
    .command('retrieval')
    .description('top-1/5/10/15/20 accuracy of consumer-to-shop retrieval results (official protocol)')
    .requiredOption('--query <file>', 'query ground truth (val_query.json format)')
    .requiredOption('--gallery <file>', 'gallery ground truth (val_gallery.json format)')
    .requiredOption('--results <file>', 'retrieval results: top-20 shop items per detected consumer item')
    .option('--json', 'print the figures as JSON on stdout (no progress, no warning lines)')
    .option(
      '--by <attribute>',
      `break the figures down by ${ATTRIBUTE_NAMES.join('|')} or all (repeatable; needs a query file with attributes)`,
      collectAttribute,
    )
    .addHelpText(
      'after',
      `
Examples:
  $ df2 eval retrieval --query val_query.json --gallery val_gallery.json --results retrieval.json
  $ df2 eval retrieval --query query-attributes.json --gallery val_gallery.json --results retrieval.json --by occlusion --by scale
  $ df2 eval retrieval --query query-attributes.json --gallery val_gallery.json --results retrieval.json --by all --json
  $ df2 eval retrieval --query val_query.json --gallery val_gallery.json --results retrieval.json --ci --seed 1

A query with style > 0 is found at rank k when the detection standing for it
(its highest-scoring detection of the right class among those assigned to it by
IoU) retrieved, within its first k items, a box with IoU >= 0.5 against a shop
item of the same pair_id and style. Queries nobody detected count as misses.
Attribute breakdowns need the query file written by
\`df2 convert retrieval --attributes\`. With --ci, the query images are
resampled (see docs/evaluation.md).
`,
    );
  addCiOptions(command).action(async (options: RetrievalEvalOptions) => {
    checkResampleOptions('eval retrieval', options);
    const progress = startProgress({ label: 'reading results', total: 1, quiet: options.json, unit: 'bytes' });
    let result;
    let ci: RetrievalBootstrap | undefined;
    let subsets: RetrievalSubsetIntervals[] | undefined;
    try {
      const fileOptions = {
        by: options.by ?? [],
        onResultsProgress(bytesRead: number, totalBytes: number) {
          progress.setTotal(totalBytes);
          progress.update(bytesRead);
        },
      };
      const inputs = await loadRetrievalInputs(options.query, options.gallery, options.results, fileOptions);
      result = evaluateRetrieval(inputs, fileOptions);
      if (options.ci || options.resampleFile !== undefined) {
        ci = await bootstrapRetrieval(inputs.queries, result.outcomes, resampleOptions(options));
        // --by: each value on the same resamples of the query images (the same seed, or the same file).
        const { resamples, seed, level, resampleFile: file } = options;
        if (fileOptions.by.length > 0)
          subsets = await bootstrapRetrievalSubsets(inputs.queries, result.outcomes, fileOptions.by, { resamples, seed, level, file });
      }
    } finally {
      progress.stop();
    }
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ ...retrievalJson(result), ...(ci && { intervals: retrievalIntervalsJson(ci, subsets) }) })}\n`);
      return;
    }
    for (const line of warningLines(result)) process.stderr.write(`df2: warning: ${line}\n`);
    process.stdout.write(retrievalText(result) + (ci ? retrievalIntervalsText(ci, options.resampleFile, subsets) : ''));
  });
}
