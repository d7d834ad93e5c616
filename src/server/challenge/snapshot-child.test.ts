/**
 * The evaluation process with a snapshot folder (EvalJob.snapshotDir, set by
 * df2 serve and `df2 worker --cache`): the first evaluation of a phase's
 * ground truth writes its snapshot, the next ones (new processes: cold
 * starts) read it, with the golden figures every time.
 */
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { goldenPath, tempDir } from '../../testing/paths.js';
import { goldenGtDir } from '../test-support.js';
import type { EvalJob, EvalReply } from './eval-child.js';

const CHILD = fileURLToPath(new URL('./eval-child.js', import.meta.url));
const golden = JSON.parse(await readFile(goldenPath('basic', 'golden.json'), 'utf8')) as Record<string, { stats: number[] }>;

/** One evaluation process: its reply and its stderr. */
function runChild(job: EvalJob): Promise<{ reply: EvalReply | undefined; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = fork(CHILD, [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'advanced' });
    let reply: EvalReply | undefined;
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('message', (m: EvalReply) => (reply ??= m));
    child.on('error', reject);
    child.on('exit', () => resolve({ reply, stderr }));
    child.send(job);
  });
}

test('evaluation processes write the ground-truth snapshot once and read it on later cold starts', async () => {
  const gtDir = await goldenGtDir();
  const snapshotDir = await tempDir('df2-child-snapshots-');
  for (const task of ['bbox', 'segm', 'keypoints'] as const) {
    const before = new Set(readdirSync(snapshotDir));
    let written = '';
    let writtenAt = 0;
    for (const round of [1, 2]) {
      const { reply, stderr } = await runChild({ task, gtDir, resultsFile: goldenPath('basic', 'results', `${task}_results.json`), snapshotDir });
      assert.equal(stderr, '', `${task} round ${round}`);
      assert.equal(reply?.kind, 'done', JSON.stringify(reply));
      if (reply?.kind !== 'done') return;
      reply.result.stats.forEach((v, i) => assert.ok(Math.abs(v - golden[task]!.stats[i]!) <= 1e-9, `${task} round ${round} stats[${i}]`));
      if (round === 1) {
        written = readdirSync(snapshotDir).filter((n) => !before.has(n))[0] ?? '';
        assert.ok(written, `${task}: the first evaluation wrote a snapshot`);
        writtenAt = statSync(join(snapshotDir, written)).mtimeMs;
      } else {
        // A snapshot that is read is marked as used (its mtime: the cache's least-recently-used order).
        assert.ok(statSync(join(snapshotDir, written)).mtimeMs > writtenAt, `${task}: the second evaluation read the snapshot`);
      }
    }
  }
  // One snapshot per task (segm with the boxes its report reads), no temporary files.
  const names = readdirSync(snapshotDir);
  assert.equal(names.length, 3);
  assert.ok(names.every((n) => n.endsWith('.df2snap')));
});
