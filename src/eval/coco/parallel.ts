/**
 * Evaluation on both cores: categories are shared between this thread and
 * one evaluation thread, each matching and accumulating its own, and the
 * parts are joined. The threads take categories from one queue, heaviest
 * first, each as it gets free (the evaluation thread starts later, and
 * categories differ in work), so neither waits long for the other. The runs
 * of a per-attribute breakdown keep the last run's split instead, so that
 * each thread's cache of IoUs / OKS stays valid across them. Small inputs are evaluated
 * in this thread alone: starting a thread would cost more than it saves.
 */
import { availableParallelism } from 'node:os';
import type { AttributeName } from '../../schema/index.js';
import { type CocoEvalResult, type EvaluationPart, categoryClaims, claimFrom, combineParts, evaluateCategories, evaluateClaimed } from './evaluate.js';
import { type CocoEvalOptions, categoryWork, planEvaluation, portablePlan } from './plan.js';
import { attributeBreakdown, attributeSubsets } from './subsets.js';
import type { EvalWorkerData } from './eval-protocol.js';
import { type HelperThread, evaluateOn, takeHelperThread } from './helper-thread.js';
import type { CocoGroundTruth } from './ground-truth.js';
import type { CocoTask } from './params.js';
import type { AttributeBreakdown } from './report.js';
import type { CocoResults } from './results.js';
import { ignoreRejection } from '../../util/ignore-rejection.js';

/** Below this many detections + ground truths, one thread is faster. */
const PARALLEL_THRESHOLD = 20_000;

export interface CocoEvaluatorOptions {
  /**
   * 1 = this thread only.
   * @default 2 when the machine has 2 cores and the input is large, else 1
   */
  threads?: number;
}

export class CocoEvaluator {
  private constructor(
    readonly task: CocoTask,
    readonly gt: CocoGroundTruth,
    readonly results: CocoResults,
    private readonly worker: HelperThread | null,
  ) {}

  /** Which categories (ranks) each thread evaluated in the last run, and how many there were. */
  private lastSplit: { K: number; mine: number[]; theirs: number[] } | undefined;

  /** Whether the thread holds this evaluator's data (sent with the first call: the thread may have been started before it was loaded). */
  private dataSent = false;

  static create(task: CocoTask, gt: CocoGroundTruth, results: CocoResults, options: CocoEvaluatorOptions = {}): CocoEvaluator {
    const large = gt.annotations.count + results.count >= PARALLEL_THRESHOLD;
    const threads = options.threads ?? (large && availableParallelism() >= 2 ? 2 : 1);
    // The thread prestartHelperThread started (and the results reader may have used) when there is one.
    return new CocoEvaluator(task, gt, results, threads > 1 ? takeHelperThread() : null);
  }

  /** One evaluation (see CocoEvalOptions). */
  async evaluate(options: CocoEvalOptions = {}): Promise<CocoEvalResult> {
    const plan = planEvaluation(this.task, this.gt, this.results, options);
    const K = plan.categoryIds.length;
    let done = 0;
    const progress = (): void => options.onProgress?.('evaluating', ++done, K);
    if (!this.worker || K < 2)
      return combineParts(plan, [
        evaluateCategories(
          plan,
          plan.categoryIds.map((_, k) => k),
          progress,
        ),
      ]);
    // The runs of an attribute breakdown keep each thread's IoUs / OKS (see evaluateClaimed): they
    // take the categories as the last run shared them. Any other run shares them as the threads get free.
    const split = options.subset && this.lastSplit?.K === K ? this.lastSplit : undefined;
    const claims = split ? undefined : categoryClaims(categoryWork(plan));
    const data: EvalWorkerData | undefined = this.dataSent ? undefined : { task: this.task, gt: this.gt, res: this.results };
    this.dataSent = true;
    const remote = evaluateOn(this.worker, { data, plan: portablePlan(plan), categories: claims ?? split!.theirs });
    let local: EvaluationPart;
    try {
      local = claims ? evaluateClaimed(plan, claimFrom(claims), progress) : evaluateCategories(plan, split!.mine, progress);
    } catch (err) {
      void ignoreRejection(remote, 'the local failure is the one reported');
      throw err;
    }
    const part = await remote;
    for (let i = 0; i < part.categories.length; i++) progress();
    this.lastSplit = { K, mine: local.categories, theirs: part.categories };
    return combineParts(plan, [local, part]);
  }

  /** Per attribute and value 1..3: [AP, AP50, AP75] (see CocoEvalOptions.subset). */
  async evaluateByAttribute(attributes: readonly AttributeName[], options: CocoEvalOptions = {}): Promise<AttributeBreakdown> {
    const subsets = attributeSubsets(attributes);
    const headlines: [number, number, number][] = [];
    for (const subset of subsets) headlines.push((await this.evaluate({ ...options, matches: false, subset })).headline);
    return attributeBreakdown(subsets, headlines);
  }

  /** Stops the evaluation thread. */
  async close(): Promise<void> {
    await this.worker?.terminate();
  }
}
