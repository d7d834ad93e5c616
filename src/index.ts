/**
 * df2 as a library: everything the `df2` command does, for programs. Read and
 * check a split, convert it (COCO, retrieval, YOLO), evaluate the four tasks
 * with the official figures (overall and per attribute), and draw pictures
 * and reports. Each area is also its own entry point: `df2/schema`,
 * `df2/dataset`, `df2/synth`, `df2/convert`, `df2/eval`, `df2/mask`, `df2/render`.
 *
 * Bad input throws {@link InputError}, whose message is one line naming the
 * file, the entry and what was expected. docs/library.md lists every name
 * each entry point exports; nothing else in the package is its API.
 *
 * @example
 * ```ts
 * import { convertSplitToCoco, evaluateCocoFiles, cocoReportText } from 'df2';
 * await convertSplitToCoco('data/validation', 'val-coco.json');
 * const result = await evaluateCocoFiles('bbox', 'val-coco.json', 'bbox_results.json');
 * console.log(result.figures.ap, result.stats[0]); // AP at IoU .50:.95, by name and in the official vector
 * ```
 */
export * from './schema/index.js';
export * from './dataset/index.js';
export * from './synth/index.js';
export * from './convert/index.js';
export * from './eval/index.js';
export * from './mask/index.js';
export * from './render/index.js';
export type { Progress } from './util/progress.js';
