/**
 * What other df2 modules use from dataset/ beyond its public index. Not in the
 * package's `exports`: users rely on `index.ts` only, and these may change in
 * any release. The import-boundary rule (eslint.config.js) lets other modules
 * import this file and no other file behind the index.
 */
export { checkAnnotationContent, checkAnnotationFileSync, checkSplitFiles, inputProblem, scanSplit, scanSplitSync, type SplitListing } from './read-split.js';
export { readImageSizeIfPresentSync } from './image-size.js';
export { PairGroups, type PairGroupCounts } from './pair-groups.js';
export { collectImageOnlyStats } from './stats.js';
export { PASSWORD_ENV, PromptInterrupted, promptPassword, resolvePassword } from './zip-import/index.js';
