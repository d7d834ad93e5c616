/**
 * What other df2 modules use from convert/ beyond its public index. Not in the
 * package's `exports`: users rely on `index.ts` only, and these may change in
 * any release. The import-boundary rule (eslint.config.js) lets other modules
 * import this file and no other file behind the index.
 */
export { writeCocoImageInfo } from './coco-writer.js';
export { pyJson } from './py-json.js';
