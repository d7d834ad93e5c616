/**
 * A long-lived evaluation process (EvalJob.keepGroundTruthBytes): job after
 * job in one process, the COCO ground truth read once and then taken from
 * memory (the count of reads it reports), with the golden figures either
 * way; a cold start reads the snapshot; a ground-truth file changed between
 * jobs is read again, and one changed too recently to trust is not kept.
 */
import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { evaluateCocoFiles } from '../../eval/index.js';
import { goldenPath, tempDir } from '../../testing/paths.js';
import { goldenGtDir } from '../test-support.js';
import type { EvalJob, EvalReply, IdleReply, ReportReply } from './eval-child.js';
import type { GroundTruthUse } from './ground-truth-memory.js';

const CHILD = fileURLToPath(new URL('./eval-child.js', import.meta.url));
type GoldenCoco = { stats: number[]; per_category_ap: { category_id: number; ap: number }[] };
const golden = JSON.parse(await readFile(goldenPath('basic', 'golden.json'), 'utf8')) as Record<string, GoldenCoco>;
const resultsOf = (task: 'bbox' | 'segm' | 'keypoints'): string => goldenPath('basic', 'results', `${task}_results.json`);
const BUDGET = 256 * 1024 * 1024;

/** Every process the tests started: none outlives them, even when an assertion fails midway. */
const started = new Set<ChildProcess>();
after(() => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** One long-lived evaluation process, its jobs sent one after the other as the evaluator sends them. */
class WarmChild {
  private readonly child: ChildProcess;
  private readonly exited: Promise<[number | null, NodeJS.Signals | null]>;
  private waiting: ((m: EvalReply | ReportReply | IdleReply) => void) | undefined;
  private readonly inbox: (EvalReply | ReportReply | IdleReply)[] = [];
  stderr = '';

  constructor() {
    this.child = fork(CHILD, [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'advanced' });
    started.add(this.child);
    this.child.stderr!.setEncoding('utf8').on('data', (d: string) => (this.stderr += d));
    this.child.on('message', (m: EvalReply | ReportReply | IdleReply) => {
      if (this.waiting) this.waiting(m);
      else this.inbox.push(m);
    });
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve([code, signal])));
  }

  private next(): Promise<EvalReply | ReportReply | IdleReply> {
    const m = this.inbox.shift();
    if (m) return Promise.resolve(m);
    return new Promise((resolve) => {
      this.waiting = (message) => {
        this.waiting = undefined;
        resolve(message);
      };
    });
  }

  /** The job's reply; the process must then say it is idle (and stay). */
  async run(job: EvalJob): Promise<EvalReply> {
    this.child.send({ keepGroundTruthBytes: BUDGET, ...job });
    const reply = (await this.next()) as EvalReply;
    assert.ok(['done', 'invalid', 'error'].includes(reply.kind), JSON.stringify(reply));
    assert.equal((await this.next()).kind, 'idle');
    return reply;
  }

  /** Retired: it ends by itself, exit code 0. */
  async retire(): Promise<void> {
    this.child.send({ kind: 'retire' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 30_000);
    const ended = await this.exited;
    clearTimeout(timer);
    assert.deepEqual(ended, [0, null], 'a retired evaluation process ends by itself');
  }
}

function assertGolden(reply: EvalReply, name: string, what: string): void {
  assert.equal(reply.kind, 'done', `${what}: ${JSON.stringify(reply)}`);
  if (reply.kind !== 'done') return;
  const want = golden[name]!;
  reply.result.stats.forEach((v, i) => assert.ok(Math.abs(v - want.stats[i]!) <= 1e-9, `${what}: stats[${i}] ${v} against ${want.stats[i]}`));
  const ap = new Map(want.per_category_ap.map((c) => [c.category_id, c.ap]));
  for (const c of reply.result.perCategoryAp ?? []) assert.ok(Math.abs(c.ap - ap.get(c.category_id)!) <= 1e-9, `${what}: AP of category ${c.category_id}`);
}

const use = (reply: EvalReply): GroundTruthUse | undefined => reply.groundTruth;

/** Ground-truth files older than the racy-clean margin, as a phase's files are. */
async function backdate(...files: string[]): Promise<void> {
  const past = new Date(Date.now() - 3600_000);
  for (const file of files) await utimes(file, past, past);
}

test('a long-lived evaluation process reads each ground truth once, then takes it from memory, with the golden figures', async () => {
  const gtDir = await goldenGtDir({ attributes: false });
  await backdate(join(gtDir, 'coco.json'), join(gtDir, 'coco-visible.json'));
  const child = new WarmChild();
  const runs = [
    ['bbox', 'bbox', 1, false],
    ['bbox', 'bbox', 1, true],
    ['segm', 'segm', 2, false],
    ['keypoints', 'keypoints', 3, false],
    ['keypoints_visible', 'keypoints', 4, false],
    ['segm', 'segm', 4, true],
    ['bbox', 'bbox', 4, true],
    ['keypoints_visible', 'keypoints', 4, true],
    ['keypoints', 'keypoints', 4, true],
  ] as const;
  let kept = 0;
  for (const [i, [task, results, reads, fromMemory]] of runs.entries()) {
    const reply = await child.run({ task, gtDir, resultsFile: resultsOf(results) });
    const what = `job ${i + 1} (${task})`;
    assertGolden(reply, task, what);
    assert.deepEqual([use(reply)?.reads, use(reply)?.fromMemory], [reads, fromMemory], what);
    assert.ok(use(reply)!.keptBytes >= kept && use(reply)!.keptBytes <= BUDGET, `${what}: ${use(reply)!.keptBytes} bytes kept`);
    kept = use(reply)!.keptBytes;
  }
  // A refused results file leaves the kept ground truth as it was: the next job still takes it from memory.
  const bad = join(await tempDir('df2-warm-bad-'), 'bad.json');
  await writeFile(bad, '[{"image_id": 1, "category_id": 1, "bbox": [1, 2, 3], "score": 0.5}]');
  const refused = await child.run({ task: 'bbox', gtDir, resultsFile: bad });
  assert.equal(refused.kind, 'invalid');
  assert.deepEqual([use(refused)?.reads, use(refused)?.fromMemory], [4, true]);
  assertGolden(await child.run({ task: 'bbox', gtDir, resultsFile: resultsOf('bbox') }), 'bbox', 'after a refusal');
  // Retrieval's small files are read each time: no ground-truth use to report.
  const retrieval = await child.run({ task: 'retrieval', gtDir, resultsFile: goldenPath('basic', 'retrieval', 'results.json') });
  assert.equal(retrieval.kind, 'done');
  assert.equal(use(retrieval), undefined);
  assert.equal(child.stderr, '');
  await child.retire();
});

test('a cold start reads the snapshot that an earlier process wrote', async () => {
  const gtDir = await goldenGtDir({ attributes: false });
  await backdate(join(gtDir, 'coco.json'), join(gtDir, 'coco-visible.json'));
  const snapshotDir = await tempDir('df2-warm-snapshots-');
  const first = new WarmChild();
  assertGolden(await first.run({ task: 'bbox', gtDir, resultsFile: resultsOf('bbox'), snapshotDir }), 'bbox', 'first process');
  await first.retire();
  const [snapshot] = readdirSync(snapshotDir);
  assert.ok(snapshot, 'the first process wrote the snapshot');
  const writtenAt = statSync(join(snapshotDir, snapshot)).mtimeMs;

  const second = new WarmChild();
  const cold = await second.run({ task: 'bbox', gtDir, resultsFile: resultsOf('bbox'), snapshotDir });
  assertGolden(cold, 'bbox', 'cold start');
  assert.deepEqual([use(cold)?.reads, use(cold)?.fromMemory], [1, false]);
  // A snapshot that is read is marked as used (its mtime).
  assert.ok(statSync(join(snapshotDir, snapshot)).mtimeMs > writtenAt, 'the cold start read the snapshot');
  const warm = await second.run({ task: 'bbox', gtDir, resultsFile: resultsOf('bbox'), snapshotDir });
  assertGolden(warm, 'bbox', 'warm');
  assert.deepEqual([use(warm)?.reads, use(warm)?.fromMemory], [1, true]);
  assert.equal(second.stderr, '');
  await second.retire();
});

test('past its budget, a process drops the least recently used ground truth, and reads it again when asked for it', async () => {
  const gtDir = await goldenGtDir({ attributes: false });
  await backdate(join(gtDir, 'coco.json'));
  // What each ground truth takes (parsed from the JSON, as below).
  const measure = new WarmChild();
  const bboxBytes = use(await measure.run({ task: 'bbox', gtDir, resultsFile: resultsOf('bbox') }))!.keptBytes;
  const keypointsBytes = use(await measure.run({ task: 'keypoints', gtDir, resultsFile: resultsOf('keypoints') }))!.keptBytes - bboxBytes;
  assert.ok(bboxBytes > 1024 && keypointsBytes > 1024, `${bboxBytes} and ${keypointsBytes} bytes kept`);
  await measure.retire();

  // A budget that holds either ground truth, not both.
  const small = new WarmChild();
  const budget = Math.max(bboxBytes, keypointsBytes) + 1024;
  const order = [];
  for (const task of ['bbox', 'bbox', 'keypoints', 'keypoints', 'bbox'] as const) {
    const reply = await small.run({ task, gtDir, resultsFile: resultsOf(task), keepGroundTruthBytes: budget });
    assertGolden(reply, task, `small budget, ${task}`);
    assert.ok(use(reply)!.keptBytes <= budget);
    order.push([use(reply)?.reads, use(reply)?.fromMemory]);
  }
  assert.deepEqual(order, [
    [1, false],
    [1, true],
    [2, false],
    [2, true],
    [3, false],
  ]);
  await small.retire();
});

test('a ground-truth file changed between jobs is read again; one changed too recently to trust is not kept', async () => {
  const gtDir = await goldenGtDir({ attributes: false });
  const gtFile = join(gtDir, 'coco.json');
  await backdate(gtFile);
  const snapshotDir = await tempDir('df2-warm-changed-');
  const child = new WarmChild();
  const job = { task: 'bbox' as const, gtDir, resultsFile: resultsOf('bbox'), snapshotDir };
  assertGolden(await child.run(job), 'bbox', 'before the change');
  assert.equal(use(await child.run(job))?.fromMemory, true);

  // The same ground truth less the first image's annotations: other figures.
  const gt = JSON.parse(await readFile(gtFile, 'utf8')) as { images: { id: number }[]; annotations: { image_id: number }[] };
  gt.annotations = gt.annotations.filter((a) => a.image_id !== gt.images[0]!.id);
  await writeFile(gtFile, JSON.stringify(gt));
  const expected = (await evaluateCocoFiles('bbox', gtFile, resultsOf('bbox'), { quiet: true })).stats;
  assert.notDeepEqual(expected, golden.bbox!.stats);

  const changed = await child.run(job);
  assert.equal(changed.kind, 'done');
  if (changed.kind !== 'done') return;
  assert.deepEqual([use(changed)?.reads, use(changed)?.fromMemory], [2, false], 'the changed file is read again');
  changed.result.stats.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) <= 1e-9, `stats[${i}] of the changed file`));
  // Just written (within the racy-clean margin): not kept in memory, so read again.
  const recent = await child.run(job);
  assert.deepEqual([use(recent)?.reads, use(recent)?.fromMemory], [3, false]);
  // Once older, it is read once more (its stat changed) and kept.
  await backdate(gtFile);
  const older = await child.run(job);
  assert.deepEqual([use(older)?.reads, use(older)?.fromMemory], [4, false]);
  const kept = await child.run(job);
  assert.deepEqual([use(kept)?.reads, use(kept)?.fromMemory], [4, true]);
  assert.equal(kept.kind === 'done' && kept.result.stats.every((v, i) => Math.abs(v - expected[i]!) <= 1e-9), true, 'the figures of the changed file');
  await child.retire();
});
