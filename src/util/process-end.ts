/**
 * How df2's processes end, without process.exit: on Node 22 and later,
 * process.exit can hang for good when V8 is compiling in the background at
 * that moment (its threads are joined before V8 is disposed of, and one waits
 * for the main thread; see nodejs/node#54918). A signal's default action is
 * the kernel's and cannot hang; a process that runs out of work disposes of V8
 * before joining its threads.
 *
 * - A command on Ctrl-C (SIGINT) or SIGTERM removes the temporary files it was
 *   writing, then the signal's default action ends it: a shell sees 130 / 143,
 *   and a script calling df2 knows it was interrupted ({@link endBySignal}).
 * - A child process on an IPC channel ends at once when its parent goes away
 *   (even while a long synchronous step holds its event loop), and by running
 *   out of work when it is done ({@link stopWithParent}).
 * - A parent waits for a child that is done, and kills it if it does not end
 *   ({@link exitWithin}).
 */
import type { ChildProcess } from 'node:child_process';
import { Worker } from 'node:worker_threads';
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

/**
 * For a process forked with an IPC channel: when the parent goes away (crash,
 * SIGKILL) and closes the channel, this process is killed at once, rather than
 * go on working for nobody. Returns `done`, the ending for when its work is
 * done (it closes the channel and lets the event loop run dry), and
 * `watching`, which resolves once the thread that watches the parent runs: a
 * long synchronous step started before then would hold that thread's start.
 *
 * @example
 * const { done, watching } = stopWithParent();
 * process.once('message', (job) => void watching.then(() => work(job)).then(done));
 */
export function stopWithParent(): { done: () => void; watching: Promise<void> } {
  // SIGKILL: nobody would be left to kill this process if its ending hung.
  const onParentGone = (): void => {
    process.kill(process.pid, 'SIGKILL');
  };
  process.once('disconnect', onParentGone);
  const watcher = watchParent();
  const watching = new Promise<void>((resolve) => {
    // A watcher that could not start (it errs or ends) leaves the 'disconnect' event alone in charge: not awaited for ever.
    for (const event of ['online', 'error', 'exit']) watcher.once(event, () => resolve());
  });
  const done = (): void => {
    void watcher.terminate();
    process.off('disconnect', onParentGone);
    process.disconnect();
  };
  return { done, watching };
}

/** How often the watcher thread looks at the parent process id (ms). */
const PARENT_POLL_MS = 100;

/**
 * The 'disconnect' event needs this process's event loop, which a long synchronous evaluation holds for seconds:
 * a thread of its own looks at the parent process id every PARENT_POLL_MS and kills the process once the parent
 * is gone (the process is handed to another parent, its id changes), whatever the main thread is doing.
 */
function watchParent(): Worker {
  const source = `
    const { workerData } = require('node:worker_threads');
    setInterval(() => {
      if (process.ppid !== workerData.ppid) process.kill(process.pid, 'SIGKILL');
    }, workerData.pollMs);`;
  const watcher = new Worker(source, {
    eval: true,
    workerData: { ppid: process.ppid, pollMs: PARENT_POLL_MS },
    resourceLimits: { maxOldGenerationSizeMb: 16 },
  });
  // The watcher never keeps the process alive: it ends by running out of work as before.
  watcher.unref();
  watcher.on('error', () => {});
  return watcher;
}

/**
 * Resolves when `child` has exited. A child still running `ms` after the call
 * is killed (SIGKILL), once `onLate` has been told.
 *
 * @example
 * child.send({ type: 'close' });
 * await exitWithin(child, 30_000, () => console.error('the server did not end; killed'));
 */
export async function exitWithin(child: ChildProcess, ms: number, onLate: () => void): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const timer = setTimeout(() => {
    onLate();
    child.kill('SIGKILL');
  }, ms);
  await exited;
  clearTimeout(timer);
}
