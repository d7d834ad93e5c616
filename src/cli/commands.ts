/** The list of df2 commands, in the order `df2 --help` shows them. */
import type { Command } from 'commander';
import { registerEval } from './eval.js';
import { registerCompare } from './compare.js';
import { registerValidate } from './validate.js';
import { registerImport } from './import.js';
import { registerConvert } from './convert.js';
import { registerPairs } from './pairs.js';
import { registerStats } from './stats.js';
import { registerSynth } from './synth.js';
import { registerServe } from './serve.js';
import { registerUsers } from './users.js';
import { registerWorker } from './worker.js';
import { registerRender } from './render.js';
import { registerReport } from './report.js';

type Register = (program: Command) => void;

const registrations: Register[] = [
  registerImport,
  registerValidate,
  registerConvert,
  registerPairs,
  registerStats,
  registerEval,
  registerCompare,
  registerRender,
  registerReport,
  registerSynth,
  registerServe,
  registerWorker,
  registerUsers,
];

export function registerCommands(program: Command): void {
  for (const register of registrations) register(program);
}
