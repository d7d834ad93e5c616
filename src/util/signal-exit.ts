/**
 * How a command ends on Ctrl-C (SIGINT) or SIGTERM: it removes the temporary
 * files it was writing, then the signal's default action ends it. A shell
 * sees 130 / 143, and a script calling df2 knows it was interrupted.
 *
 * Not process.exit: on Node 22 and later, process.exit can hang for good when
 * V8 is compiling in the background at that moment (its threads are joined
 * before V8 is disposed of, and one waits for the main thread; see
 * nodejs/node#54918), and a second Ctrl-C then does nothing. A signal's
 * default action is the kernel's and cannot hang.
 */
import { removeLiveTemps } from './temp-files.js';

/** Exit statuses a shell shows for a process ended by the signal (128 + its number). */
export const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;

export type StopSignal = keyof typeof SIGNAL_EXIT_CODES;

/**
 * Removes the listed temporary files, then ends the process by `signal`.
 *
 * @example
 * process.once('SIGINT', () => void pool.close().finally(() => endBySignal('SIGINT')));
 */
export function endBySignal(signal: StopSignal): void {
  removeLiveTemps();
  // Without a listener Node gives the signal back its default action: ending the process.
  process.removeAllListeners(signal);
  process.kill(process.pid, signal);
  // Not reached when the signal ends the process, as it does unless something outside ignores it.
  process.exit(SIGNAL_EXIT_CODES[signal]);
}
