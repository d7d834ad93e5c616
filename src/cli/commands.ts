/** The list of df2 commands, in the order `df2 --help` shows them. */
import type { Command } from 'commander';
import { registerEval } from './eval.js';

type Register = (program: Command) => void;

const registrations: Register[] = [
  registerEval,
];

export function registerCommands(program: Command): void {
  for (const register of registrations) register(program);
}
