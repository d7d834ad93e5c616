import type { Command } from 'commander';

/** Registers `eval retrieval` (being written). */
export function registerRetrievalEval(_evalCommand: Command): void {}
