/**
 * Runs one df2 command in this process and, when the process exits, writes
 * its peak resident memory (all threads) and CPU seconds as JSON to the file
 * named first. Used by run.ts to measure `df2 eval` as a whole process
 * without depending on /usr/bin/time.
 *
 *   node dist/bench/measure.js OUT.json eval bbox --gt ... --results ...
 */
import { writeFileSync } from 'node:fs';
import { relaunchWithHugePages } from '../cli/relaunch.js';

const [out, ...args] = process.argv.slice(2);
if (!out) {
  process.stderr.write('usage: measure.js OUT.json DF2-ARGS...\n');
  process.exit(2);
}
// As bin/df2.js does: the command is measured as a user's `df2` runs it (the CPU before the relaunch counts too).
relaunchWithHugePages(args);
const { main } = await import('../cli/main.js');
process.on('exit', (code) => {
  const usage = process.resourceUsage();
  writeFileSync(out, JSON.stringify({ code, maxRssKb: usage.maxRSS, userSeconds: usage.userCPUTime / 1e6, systemSeconds: usage.systemCPUTime / 1e6 }));
});
await main([process.argv[0]!, 'df2', ...args]);
