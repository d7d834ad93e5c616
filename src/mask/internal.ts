/**
 * What other df2 modules (eval/: the results reader, the mask stores and their IoU) use from mask/ beyond
 * its public index. Not in the package's `exports`: these may change in any
 * release. The import-boundary rule (eslint.config.js) lets other modules
 * import this file and no other file behind the index.
 */
export { rleRunsFromJsonBytes } from './codec.js';
export { measureRuns } from './rle.js';
export { maskColumnsIou, type MaskColumns } from './iou.js';
