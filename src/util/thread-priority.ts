/**
 * Lowers the CPU priority of the calling thread only. Background work that
 * shares the cores with answers to users (the explorer's index workers)
 * then takes what they leave: under load the kernel runs the requests
 * first, and when the server is idle a niced thread runs at full speed.
 *
 * Linux schedules threads as tasks, so setpriority(2) on a thread id
 * changes that thread alone; the id comes from /proc/thread-self. Raising
 * one's own niceness needs no privilege. Elsewhere this does nothing.
 */
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/**
 * Sets the calling thread's niceness (0..19, higher runs later) and returns whether it could.
 *
 * @example
 * // first thing in a worker thread doing background work
 * lowerThreadPriority(10);
 */
export function lowerThreadPriority(niceness: number): boolean {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid) || tid <= 0) return false;
    // Never raise a priority that is already lower (a server started with `nice`).
    if (getPriority(tid) < niceness) setPriority(tid, niceness);
    return true;
  } catch {
    return false;
  }
}
