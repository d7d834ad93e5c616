/**
 * Deterministic synthetic splits in the release layout (what `df2 synth` writes): annotation
 * files, JPEGs, and with `predictions` imitation model outputs for all four tasks. Reading a
 * split is `df2/dataset`; making one is this module.
 *
 * @example
 * ```ts
 * import { synthesize } from 'df2/synth';
 * const summary = await synthesize({ out: 'demo', images: 200, seed: 7, predictions: true });
 * console.log(summary.images, summary.items);
 * ```
 */
export { MAX_IMAGES as MAX_SYNTH_IMAGES, synthesize, type SynthOptions, type SynthSummary } from './run.js';
