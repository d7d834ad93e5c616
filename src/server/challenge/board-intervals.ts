/**
 * Leaderboard intervals (phases with `intervals:` in challenge.yaml): each
 * ranked team against the team just above it, paired on the phase's
 * resample lists, from the per-resample figures stored when each submission
 * was evaluated. Nothing is evaluated here: a comparison is a pass over two
 * arrays of (by default) 1,000 doubles and three sorts of them, only the rows
 * shown are read, and a pair compared once is remembered (ComparisonCache).
 */
import { pairedDifference } from '../../eval/internal.js';
import type { PhaseIntervals } from './config.js';
import type { BoardRow } from './phases.js';
import { primaryFigure } from './tasks.js';
import type { Store } from './types.js';

/** A team against the team above it on the leaderboard. */
export interface NeighbourComparison {
  /** The team above's figure minus this team's, on the full image set. */
  difference: number;
  /** The percentile interval of that difference over the resamples, at the phase's level. */
  low: number;
  high: number;
  /** Share of the resamples (where both figures are defined) in which the team above is strictly ahead. */
  aboveBeats: number;
  /** False when the interval of the difference contains 0: the two cannot be told apart on this image sample. */
  significant: boolean;
}

/**
 * Comparisons already made, by the two submissions (id and the time each was evaluated: a re-run
 * evaluates again) and the level. A pair's verdict never changes, so a board asked for again reads
 * and pairs only the rows that moved. Bounded: emptied when full.
 */
export class ComparisonCache {
  private readonly entries = new Map<string, NeighbourComparison>();
  constructor(private readonly capacity = 20_000) {}

  static key(above: BoardRow, row: BoardRow, level: number): string {
    return `${above.submissionId}@${above.finishedAt}|${row.submissionId}@${row.finishedAt}|${level}`;
  }

  get(key: string): NeighbourComparison | undefined {
    return this.entries.get(key);
  }

  set(key: string, value: NeighbourComparison): void {
    if (this.entries.size >= this.capacity) this.entries.clear();
    this.entries.set(key, value);
  }
}

/**
 * Compares `rows[from..to)` (board order, ranked rows first) each with the ranked row just above it.
 * A row is left out when it or the row above is a baseline, or either has no stored figures of the
 * same resample lists (evaluated before the phase asked for intervals, or under another seed or count).
 *
 * @example
 * const marks = await neighbourComparisons(store, rows, 0, 50, phase.intervals, new ComparisonCache());
 * marks.get(rows[1].submissionId)?.significant; // false: "≈" the team above
 */
export async function neighbourComparisons(
  store: Pick<Store, 'resampleFigures'>,
  rows: readonly BoardRow[],
  from: number,
  to: number,
  intervals: PhaseIntervals,
  cache?: ComparisonCache,
): Promise<Map<number, NeighbourComparison>> {
  const out = new Map<number, NeighbourComparison>();
  const pairs: [BoardRow, BoardRow][] = [];
  for (let i = Math.max(1, from); i < Math.min(to, rows.length); i++) {
    const [above, row] = [rows[i - 1]!, rows[i]!];
    if (above.rank === null || row.rank === null || !sameLists(above, row, intervals)) continue;
    const known = cache?.get(ComparisonCache.key(above, row, intervals.level));
    if (known) out.set(row.submissionId, known);
    else pairs.push([above, row]);
  }
  if (pairs.length === 0) return out;
  const figures = await store.resampleFigures([...new Set(pairs.flat().map((r) => r.submissionId))]);
  for (const [above, row] of pairs) {
    const a = figures.get(above.submissionId);
    const b = figures.get(row.submissionId);
    if (!a || !b || a.length !== b.length) continue;
    const gap = pairedDifference(primaryFigure(above.result), primaryFigure(row.result), a, b, intervals.level);
    if (gap.difference.defined === 0) continue;
    const comparison = {
      difference: gap.difference.value,
      low: gap.difference.low,
      high: gap.difference.high,
      aboveBeats: gap.aBeats,
      significant: !(gap.difference.low <= 0 && gap.difference.high >= 0),
    };
    cache?.set(ComparisonCache.key(above, row, intervals.level), comparison);
    out.set(row.submissionId, comparison);
  }
  return out;
}

/** Both evaluated on the phase's current lists (same seed and count), so resample i is the same images for both. */
const sameLists = (a: BoardRow, b: BoardRow, intervals: PhaseIntervals): boolean =>
  [a, b].every((r) => r.result.interval !== undefined && r.result.interval.seed === intervals.seed && r.result.interval.resamples === intervals.resamples);
