/**
 * The results reader against JSON.parse on the same bytes, in one process
 * (a child of `npm run bench`): CPU seconds (of every thread) and MB/s of
 * CPU time for each, on one results file, and df2's wall time on one thread
 * and on two (a file of 64 MiB or more is read on two). JSON.parse gets the
 * whole file as one string, which only a file under V8's string limit
 * allows; df2's reader streams it.
 *
 *   node dist/bench/scanner.js bench-data/val-33669/results/keypoints_results.json keypoints
 */
import { readFileSync, statSync } from 'node:fs';
import type { CocoTask } from '../eval/index.js';
import { readCocoResults } from '../eval/internal.js';

function cpuSeconds(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

async function main(): Promise<void> {
  const [file, task] = process.argv.slice(2) as [string, CocoTask];
  const mb = statSync(file).size / 1e6;
  // One thread first (its wall time), then the default (two threads past 64 MiB): the CPU figure is the default's.
  let wall = performance.now();
  await readCocoResults(file, { tasks: [task], secondThreadFrom: Infinity });
  const oneThreadWall = (performance.now() - wall) / 1000;
  let start = process.cpuUsage();
  wall = performance.now();
  const read = await readCocoResults(file, { tasks: [task] });
  const df2Wall = (performance.now() - wall) / 1000;
  const df2 = cpuSeconds(start);
  start = process.cpuUsage();
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown[];
  const json = cpuSeconds(start);
  if (parsed.length !== read.count) throw new Error(`JSON.parse read ${parsed.length} results, df2 ${read.count}`);
  console.log(JSON.stringify({ mb, df2Seconds: df2, jsonParseSeconds: json, oneThreadWall, df2Wall }));
}

await main();
