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
  isImagesOnlySplit,
  readSplitImages,
  NameList,
  NameSet,
  type SplitImage,
  type CheckedFile,
  type ReadSplitOptions,
} from './read-split.js';
export { validateSplit, type SplitSummary, type ValidateSplitOptions } from './validate-split.js';
export { readImageSize, type ImageSize } from './image-size.js';
export { SplitStatsCollector, collectSplitStats, type AttributeCounts, type CategoryStats, type SplitStats } from './stats.js';
export { PairIndex, emptyPairCounts, pairJsonLine, writePairsFile, type ItemPair, type PairCounts, type PairItem } from './pairs.js';

export { ImportInterrupted, importArchives, type ImportOptions, type ImportProgress, type ImportResult } from './zip-import/index.js';
