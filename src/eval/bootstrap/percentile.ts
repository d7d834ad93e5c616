/**
 * Percentile intervals as numpy computes them: np.percentile's default
 * method ('linear': the virtual index (n - 1) q between the two nearest
 * sorted values), with numpy's own interpolation formula so that the
 * bounds are the same doubles.
 */

/** np.percentile(values, q) for sorted values (ascending, no NaN), q in [0, 100]. */
export function percentileOfSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const quantile = q / 100;
  // numpy: virtual index n q + (alpha + q (1 - alpha - beta)) - 1 with alpha = beta = 1.
  const index = n * quantile + (1 + quantile * (1 - 1 - 1)) - 1;
  const below = Math.min(Math.max(Math.floor(index), 0), n - 1);
  const above = Math.min(below + 1, n - 1);
  const gamma = index - Math.floor(index);
  const a = sorted[below]!;
  const b = sorted[above]!;
  if (index <= 0) return sorted[0]!;
  if (index >= n - 1) return sorted[n - 1]!;
  // numpy's _lerp: a + (b - a) t, or b - (b - a)(1 - t) when t >= 0.5.
  const diff = b - a;
  return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
}

/** A figure's bootstrap interval. */
export interface Interval {
  /** Lower and upper bound: the (1 - level) / 2 and (1 + level) / 2 percentiles of the defined values. */
  low: number;
  high: number;
  /** Resamples in which the figure is defined (not -1: e.g. no ground truth of a category was drawn). */
  defined: number;
}

/**
 * The percentile interval at `level` (e.g. 0.95) of the values; a figure's
 * -1 (undefined in that resample) is left out unless `keepMinusOne` (a
 * difference of -1 is a value).
 */
export function percentileInterval(values: ArrayLike<number>, level: number, keepMinusOne = false): Interval {
  const kept: number[] = [];
  for (let i = 0; i < values.length; i++) if (keepMinusOne || values[i] !== -1) kept.push(values[i]!);
  const sorted = Float64Array.from(kept).sort();
  const tail = (100 - 100 * level) / 2; // 0.95 gives 2.5 exactly
  return { low: percentileOfSorted(sorted, tail), high: percentileOfSorted(sorted, 100 - tail), defined: sorted.length };
}
