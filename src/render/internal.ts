/**
 * What other df2 modules use from render/ beyond its public index. Not in the
 * package's `exports`: users rely on `index.ts` only, and these may change in
 * any release. The import-boundary rule (eslint.config.js) lets other modules
 * import this file and no other file behind the index.
 */
export { HIT_COLOR, MISS_COLOR } from './pictures/colors.js';
export { type DetectionRecord, readResultsForImages, resultKindOf } from './pictures/prediction-items.js';
