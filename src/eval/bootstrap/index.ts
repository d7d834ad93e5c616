/**
 * Bootstrap over images: intervals of the official figures, and paired
 * comparison of two models, from one matching of each (image, category)
 * cell (see prepare.ts for why that is exact).
 */
export { prepareBootstrap, type PreparedEvaluation } from './prepare.js';
export { preparedImageCounts } from './image-counts.js';
export { ResampleAccumulator, resampleFigures, imageRanks, type ResampleFigures } from './resample.js';
export { drawResample, forEachResampleInFile, ResampleFileWriter } from './resamples.js';
export { percentileOfSorted, percentileInterval, type Interval } from './percentile.js';
export { runResamples, DEFAULT_LEVEL, DEFAULT_RESAMPLES, type ResampleOptions, type ResampleRun } from './run.js';
export {
  bootstrapCoco,
  bootstrapPrepared,
  comparePrepared,
  paired,
  pairedDifference,
  type CocoBootstrap,
  type CocoComparison,
  type FigureInterval,
  type PairedFigure,
} from './coco.js';
export { bootstrapSubsets, SUBSET_INTERVAL_FIGURES, type SubsetIntervals, type SubsetIntervalOptions } from './subsets.js';
export { bootstrapRetrieval, bootstrapRetrievalSubsets, RETRIEVAL_FIGURES, type RetrievalBootstrap, type RetrievalSubsetIntervals } from './retrieval.js';
