/**
 * Reading a split (`annos/NNNNNN.json` + `image/NNNNNN.jpg`): streamed,
 * concurrent, in image order, each file checked as `df2 validate` checks it;
 * whole-split validation, statistics, consumer-to-shop pairs, image sizes
 * from headers. (Making a synthetic split is `df2/synth`.)
 *
 * @example
 * ```ts
 * import { readSplit, collectSplitStats } from 'df2/dataset';
 * for await (const record of readSplit('data/validation')) {
 *   console.log(record.name, record.width, record.height, record.items.length);
 * }
 * const stats = await collectSplitStats(readSplit('data/validation', { imageSizes: false }));
 * console.log(stats.table1);
 * ```
 */
export {
  DEFAULT_CONCURRENCY,
  checkAnnotationFile,
  listSplit,
  readSplit,
  scanSplit,
  scanSplitSync,
  checkAnnotationFileSync,
  inputProblem,
  isImagesOnlySplit,
  readSplitImages,
  NameList,
  NameSet,
  type SplitImage,
  type CheckedFile,
  type ReadSplitOptions,
  type SplitListing,
} from './read-split.js';
export { validateSplit, type SplitSummary, type ValidateSplitOptions } from './validate-split.js';
export { readImageSize, readImageSizeIfPresentSync, type ImageSize } from './image-size.js';
export { PairGroups, type PairGroupCounts } from './pair-groups.js';
export { SplitStatsCollector, collectSplitStats, type AttributeCounts, type CategoryStats, type SplitStats } from './stats.js';
export { PairIndex, emptyPairCounts, pairJsonLine, writePairsFile, type ItemPair, type PairCounts, type PairItem } from './pairs.js';

// Used by other modules (imported through this index).
export { checkAnnotationContent, checkSplitFiles } from './read-split.js';
export { collectImageOnlyStats } from './stats.js';
export { ImportInterrupted, PASSWORD_ENV, PromptInterrupted, importArchives, promptPassword, resolvePassword } from './zip-import/index.js';
