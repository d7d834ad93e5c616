/**
 * The helper thread: the thread that reads the second half of a results file
 * is the one that then evaluates, so an evaluation starts one thread, not two.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { GOLDEN_FIXTURES, goldenPath } from '../../testing/paths.js';
import { helperThreadsStarted, prestartHelperThread } from './helper-thread.js';
import { loadCocoGroundTruth } from './load.js';
import { CocoEvaluator } from './parallel.js';
import { linkResults, readCocoResults } from './results.js';

const fixture = GOLDEN_FIXTURES[0]!;
const golden = JSON.parse(readFileSync(goldenPath(fixture, 'golden.json'), 'utf8')) as Record<string, { stats: number[] }>;

for (const prestarted of [true, false])
  test(`results read on two threads, then evaluated on two: one thread started in all (${prestarted ? 'started before the read' : 'started by the reader'})`, async () => {
    const gt = await loadCocoGroundTruth(goldenPath(fixture, 'gt', 'coco.json'), ['segm']);
    const before = helperThreadsStarted();
    if (prestarted) prestartHelperThread();
    const data = await readCocoResults(goldenPath(fixture, 'results', 'segm_results.json'), {
      tasks: ['segm'],
      secondThreadFrom: 0,
      secondThreadSplit: 'middle',
    });
    const evaluator = CocoEvaluator.create('segm', gt, linkResults(gt, data), { threads: 2 });
    try {
      const result = await evaluator.evaluate();
      result.stats.forEach((v, i) => assert.ok(Math.abs(v - golden.segm!.stats[i]!) <= 1e-9, `stats[${i}]: ${v}, official ${golden.segm!.stats[i]}`));
    } finally {
      await evaluator.close();
    }
    assert.equal(helperThreadsStarted() - before, 1);
  });
