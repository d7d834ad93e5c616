/**
 * The list of df2 commands, in the order `df2 --help` shows them. Each is
 * loaded only when it is needed: `df2 eval` does not load the server, the
 * renderer or the converters (a tenth of a second of a repeated evaluation
 * that takes one).
 */
import type { Command } from 'commander';

type Register = (program: Command) => void;

const COMMANDS: readonly (readonly [name: string, load: () => Promise<Register>])[] = [
  ['import', async () => (await import('./import.js')).registerImport],
  ['validate', async () => (await import('./validate.js')).registerValidate],
  ['convert', async () => (await import('./convert.js')).registerConvert],
  ['pairs', async () => (await import('./pairs.js')).registerPairs],
  ['stats', async () => (await import('./stats.js')).registerStats],
  ['eval', async () => (await import('./eval.js')).registerEval],
  ['compare', async () => (await import('./compare.js')).registerCompare],
  ['render', async () => (await import('./render.js')).registerRender],
  ['report', async () => (await import('./report.js')).registerReport],
  ['synth', async () => (await import('./synth.js')).registerSynth],
  ['serve', async () => (await import('./serve.js')).registerServe],
  ['worker', async () => (await import('./worker.js')).registerWorker],
  ['users', async () => (await import('./users.js')).registerUsers],
];

/** The command names, in help order. */
export const COMMAND_NAMES: readonly string[] = COMMANDS.map(([name]) => name);

/**
 * Registers `only` (a command name) or, when it is undefined or not a
 * command (`df2 --help`, a typo that commander should answer), every command.
 */
export async function registerCommands(program: Command, only?: string): Promise<void> {
  const chosen = COMMANDS.filter(([name]) => only === undefined || name === only);
  const registers = await Promise.all((chosen.length > 0 ? chosen : COMMANDS).map(([, load]) => load()));
  for (const register of registers) register(program);
}
