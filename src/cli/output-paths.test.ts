/**
 * Output paths the system will not make or that are not files, through the
 * commands: one line naming the output, exit 1, in bounded time. Node's
 * recursive mkdir loops for good under /proc (ENOENT with the parent there).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, goldenPath } from '../testing/paths.js';

/** The CLI, killed after 20 s: a command that spins must fail the test, not hang it. */
function df2(args: string[]): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(REPO_ROOT, 'bin', 'df2.js'), ...args], { timeout: 20_000, killSignal: 'SIGKILL' }, (err, _stdout, stderr) => {
      const failure = err as (Error & { code?: number; signal?: string }) | null;
      resolve({ code: failure ? (failure.code ?? null) : 0, signal: failure?.signal ?? null, stderr });
    });
  });
}

test(
  'an output under /proc is one line naming it, exit 1, within seconds (synth, convert coco and yolo, report)',
  { skip: !existsSync('/proc/self') },
  async () => {
    const split = goldenPath('basic', 'dataset');
    const cases: [string[], string][] = [
      [['synth', '--out', '/proc/nope/s', '--images', '2'], '/proc/nope/s: expected a folder that can be made'],
      [['convert', 'coco', split, '--out', '/proc/nope/c.json'], '/proc/nope/c.json: expected a writable output path'],
      [['convert', 'yolo', split, '--split', 'val', '--task', 'detect', '--out', '/proc/nope/y'], '/proc/nope/y: expected a folder that can be made'],
      [
        [
          'report',
          '--gt',
          goldenPath('basic', 'gt', 'coco.json'),
          '--results',
          goldenPath('basic', 'results', 'bbox_results.json'),
          '--out',
          '/proc/nope/r.html',
        ],
        '/proc/nope/r.html: expected a writable output path',
      ],
    ];
    for (const [args, start] of cases) {
      const run = await df2(args);
      assert.equal(run.signal, null, `${args[0]!}: killed after 20 s`);
      assert.equal(run.code, 1, `${args.join(' ')}: ${run.stderr}`);
      assert.equal(run.stderr, `df2: ${start}, found /proc/nope, a folder that cannot be made there\n`);
    }
  },
);
