import type { Command } from 'commander';

/** Registers `eval bbox|segm|keypoints` (being written). */
export function registerCocoEval(_evalCommand: Command): void {}
