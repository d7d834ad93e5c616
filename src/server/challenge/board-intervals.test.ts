/**
 * The pairing of leaderboard neighbours: only the rows asked for are read,
 * a pair compared once is not read or paired again until one of the two is
 * evaluated again, baselines and figures of other lists are left out.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { percentileInterval } from '../../eval/index.js';
import { ComparisonCache, neighbourComparisons } from './board-intervals.js';
import type { BoardRow } from './phases.js';

const INTERVALS = { resamples: 100, level: 0.95, seed: 0 };
const figuresOf = (ap: number, wobble: number): Float64Array => Float64Array.from({ length: 100 }, (_, i) => ap + wobble * Math.sin(i * (1 + ap)));

function row(id: number, ap: number, rank: number | null, extra: { seed?: number; finishedAt?: string } = {}): BoardRow {
  return {
    submissionId: id,
    teamKey: `u:${id}`,
    team: `t${id}`,
    userName: `t${id}`,
    name: 'm',
    description: '',
    paperUrl: null,
    codeUrl: null,
    baseline: rank === null,
    createdAt: '2027-01-01T00:00:00.000Z',
    finishedAt: extra.finishedAt ?? '2027-01-01T00:01:00.000Z',
    rank,
    result: {
      task: 'bbox',
      stats: [ap],
      statNames: ['AP'],
      seconds: 0,
      interval: { figure: 'AP', low: 0, high: 1, level: 0.95, resamples: 100, defined: 100, seed: extra.seed ?? 0 },
    },
  };
}

/** The stored figures, and every id each read asked for. */
function storedFigures(figures: Record<number, Float64Array>) {
  const asked: number[][] = [];
  return {
    asked,
    resampleFigures(ids: readonly number[]): Promise<Map<number, Float64Array>> {
      asked.push([...ids]);
      return Promise.resolve(new Map(ids.filter((id) => figures[id]).map((id) => [id, figures[id]!])));
    },
  };
}

test('neighbours are paired from stored figures, only for the rows asked, and a pair is remembered until re-evaluated', async () => {
  const first = figuresOf(0.6, 0.01);
  const figures = {
    1: first,
    // Team 2 within noise of team 1: their difference changes sign from resample to resample.
    2: first.map((v, i) => v - 0.001 + 0.01 * Math.cos(7 * i)),
    3: figuresOf(0.4, 0.01),
    4: figuresOf(0.3, 0.01),
    5: figuresOf(0.2, 0.01),
    6: figuresOf(0.1, 0.01),
  };
  const store = storedFigures(figures);
  const rows = [row(1, 0.6, 1), row(2, 0.599, 2), row(3, 0.4, 3), row(4, 0.3, 4, { seed: 9 }), row(5, 0.2, 5), row(6, 0.5, null)];
  const cache = new ComparisonCache();
  const page = await neighbourComparisons(store, rows, 2, 3, INTERVALS, cache);
  assert.deepEqual(store.asked, [[2, 3]], 'the row shown and the one above it');
  const diff = figures[2].map((v, i) => v - figures[3][i]!);
  const { low, high } = percentileInterval(diff, 0.95, true);
  assert.deepEqual(page.get(3), { difference: 0.599 - 0.4, low, high, aboveBeats: 1, significant: true });
  const all = await neighbourComparisons(store, rows, 0, rows.length, INTERVALS, cache);
  // Row 3 was known; row 4 has other lists (so 5 has no comparable row above), row 6 is a baseline.
  assert.deepEqual(store.asked[1], [1, 2]);
  assert.deepEqual([...all.keys()].sort(), [2, 3]);
  assert.equal(all.get(2)!.significant, false, '0.6 and 0.599 with this noise are not told apart');
  await neighbourComparisons(store, rows, 0, rows.length, INTERVALS, cache);
  assert.equal(store.asked.length, 2, 'asked again: nothing read');
  // A re-run evaluates again: its pairs are made again; another level is another verdict.
  const rerun = rows.map((r) => (r.submissionId === 3 ? { ...r, finishedAt: '2027-01-02T00:00:00.000Z' } : r));
  await neighbourComparisons(store, rerun, 0, rows.length, INTERVALS, cache);
  assert.deepEqual(store.asked[2], [2, 3]);
  await neighbourComparisons(store, rerun, 0, rows.length, { ...INTERVALS, level: 0.5 }, cache);
  assert.deepEqual(store.asked[3], [1, 2, 3]);
  // Without stored figures (evaluated before the phase asked), no verdict.
  assert.deepEqual(await neighbourComparisons(storedFigures({}), rows, 0, rows.length, INTERVALS), new Map());
});

test('the cache is bounded: emptied when full', () => {
  const cache = new ComparisonCache(2);
  const value = { difference: 0, low: 0, high: 0, aboveBeats: 0, significant: false };
  cache.set('a', value);
  cache.set('b', value);
  cache.set('c', value);
  assert.deepEqual([cache.get('a'), cache.get('b'), cache.get('c')], [undefined, undefined, value]);
});
