/**
 * accumulateCategory against a line-by-line transcription of the official
 * accumulate() (cumulative sums, precision and recall arrays, interpolation
 * from the right, searchsorted, the try/except that leaves missing samples
 * at 0), on random matches with tied scores, ignored detections, images
 * over the maxDets cuts and categories without regular ground truth.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type AccumulatedArrays, type CategoryMatches, accumulateCategory, createAccumulated } from './accumulate.js';
import { NP_SPACING_1 } from './numeric.js';
import { type CocoEvalParams, paramsFor } from './params.js';

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

function randomMatches(params: CocoEvalParams, rand: () => number): CategoryMatches {
  const T = params.iouThrs.length,
    A = params.areaRanges.length;
  const score: number[] = [];
  const rank: number[] = [];
  const cells = 1 + Math.floor(rand() * 12);
  for (let c = 0; c < cells; c++) {
    // Some images over the largest cut (the data is cut already: ranks stay below it).
    const size = Math.min(Math.floor(rand() ** 3 * 40), params.maxDets[params.maxDets.length - 1]!);
    const scores = Array.from({ length: size }, () => Math.round(rand() * 10) / 10).sort((x, y) => y - x);
    scores.forEach((s, r) => {
      score.push(s);
      rank.push(r);
    });
  }
  const count = score.length;
  const matched = new Uint8Array(A * T * count).map(() => (rand() < 0.5 ? 1 : 0));
  const ignored = new Uint8Array(A * T * count).map(() => (rand() < 0.2 ? 1 : 0));
  const regularGt = Int32Array.from({ length: A }, () => (rand() < 0.15 ? 0 : 1 + Math.floor(rand() * 30)));
  return { cells, count, score: Float64Array.from(score), rank: Int32Array.from(rank), matched, ignored, regularGt };
}

/** The official accumulate() for one category, transcribed. */
function reference(params: CocoEvalParams, acc: AccumulatedArrays, k: number, cat: CategoryMatches): void {
  const { T, R, K, A, M } = acc.dims;
  if (cat.cells === 0) return;
  for (let a = 0; a < A; a++) {
    for (let m = 0; m < M; m++) {
      const maxDet = params.maxDets[m]!;
      const kept = [...Array(cat.count).keys()].filter((i) => cat.rank[i]! < maxDet);
      const inds = kept.map((_, j) => j).sort((x, y) => -cat.score[kept[x]!]! - -cat.score[kept[y]!]! || x - y);
      const npig = cat.regularGt[a]!;
      if (npig === 0) continue;
      for (let t = 0; t < T; t++) {
        const det = inds.map((j) => kept[j]!);
        const at = (i: number): number => (a * T + t) * cat.count + i;
        let tpSum = 0,
          fpSum = 0;
        const rc: number[] = [],
          pr: number[] = [];
        for (const i of det) {
          const ig = cat.ignored[at(i)]!;
          if (cat.matched[at(i)] && !ig) tpSum++;
          if (!cat.matched[at(i)] && !ig) fpSum++;
          rc.push(tpSum / npig);
          pr.push(tpSum / (fpSum + tpSum + NP_SPACING_1));
        }
        const nd = det.length;
        acc.recall[((t * K + k) * A + a) * M + m] = nd ? rc[nd - 1]! : 0;
        for (let i = nd - 1; i > 0; i--) if (pr[i]! > pr[i - 1]!) pr[i - 1] = pr[i]!;
        const q = new Array<number>(R).fill(0),
          ss = new Array<number>(R).fill(0);
        for (let r = 0; r < R; r++) {
          let pi = 0;
          while (pi < nd && rc[pi]! < params.recThrs[r]!) pi++;
          if (pi >= nd) break; // IndexError: the rest stays 0
          q[r] = pr[pi]!;
          ss[r] = cat.score[det[pi]!]!;
        }
        for (let r = 0; r < R; r++) {
          acc.precision[(((t * R + r) * K + k) * A + a) * M + m] = q[r]!;
          acc.scores[(((t * R + r) * K + k) * A + a) * M + m] = ss[r]!;
        }
      }
    }
  }
}

for (const task of ['bbox', 'keypoints'] as const) {
  test(`accumulateCategory equals the official accumulate (${task}, random cases)`, () => {
    const params = paramsFor(task);
    const rand = random(task === 'bbox' ? 7 : 11);
    for (let round = 0; round < 40; round++) {
      const K = 3;
      const fast = createAccumulated(params, K);
      const slow = createAccumulated(params, K);
      for (let k = 0; k < K; k++) {
        const cat = randomMatches(params, rand);
        accumulateCategory(params, fast, k, cat);
        reference(params, slow, k, cat);
      }
      assert.deepEqual(fast.precision, slow.precision, `precision, round ${round}`);
      assert.deepEqual(fast.recall, slow.recall, `recall, round ${round}`);
      assert.deepEqual(fast.scores, slow.scores, `scores, round ${round}`);
    }
  });
}
