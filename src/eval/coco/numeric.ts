/**
 * The few numpy behaviours that decide the last bits of the official figures:
 * np.spacing(1), numpy.linspace and numpy's pairwise summation (what np.sum and
 * np.mean do on a contiguous float64 array). Using the same operations in the
 * same order gives the same doubles, so figures match to the last bit in the
 * common case and stay far inside 1e-9 otherwise (e.g. where Math.exp and
 * numpy's exp differ by one unit in the last place).
 */

/** np.spacing(1) = 2^-52: pycocotools adds it to guard divisions (OKS, precision). */
export const NP_SPACING_1 = 2 ** -52;

/** numpy.linspace(start, stop, num) with endpoint=True: i * step + start, the last value exactly stop. */
export function linspace(start: number, stop: number, num: number): Float64Array {
  const out = new Float64Array(num);
  const step = (stop - start) / (num - 1);
  for (let i = 0; i < num; i++) out[i] = i * step + start;
  if (num > 1) out[num - 1] = stop;
  return out;
}

const BLOCK = 128;

/**
 * numpy's pairwise_sum over a[start, start + n): below 8 values a plain loop,
 * up to 128 values eight interleaved accumulators combined as a tree, above
 * that the two halves (split at a multiple of 8) summed recursively.
 */
export function pairwiseSum(a: ArrayLike<number>, start: number, n: number): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[start + i]!;
    return res;
  }
  if (n <= BLOCK) {
    let r0 = a[start]!,
      r1 = a[start + 1]!,
      r2 = a[start + 2]!,
      r3 = a[start + 3]!;
    let r4 = a[start + 4]!,
      r5 = a[start + 5]!,
      r6 = a[start + 6]!,
      r7 = a[start + 7]!;
    const end = n - (n % 8);
    let i = 8;
    for (; i < end; i += 8) {
      const p = start + i;
      r0 += a[p]!;
      r1 += a[p + 1]!;
      r2 += a[p + 2]!;
      r3 += a[p + 3]!;
      r4 += a[p + 4]!;
      r5 += a[p + 5]!;
      r6 += a[p + 6]!;
      r7 += a[p + 7]!;
    }
    let res = r0 + r1 + (r2 + r3) + (r4 + r5 + (r6 + r7));
    for (; i < n; i++) res += a[start + i]!;
    return res;
  }
  let half = Math.floor(n / 2);
  half -= half % 8;
  return pairwiseSum(a, start, half) + pairwiseSum(a, start + half, n - half);
}

/**
 * np.mean of the values > -1 (summarize's `np.mean(s[s>-1])`), or -1 when there are none.
 * `scratch` (at least as long as `values`) spares the allocation when called once per resample; it may be
 * `values` itself, compacted in place (each value is read before its slot can be written).
 */
export function meanOfValid(values: ArrayLike<number>, scratch?: Float64Array): number {
  const kept = scratch && scratch.length >= values.length ? scratch : new Float64Array(values.length);
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v > -1) kept[n++] = v;
  }
  return n === 0 ? -1 : pairwiseSum(kept, 0, n) / n;
}

/**
 * Stable order of `count` items by descending key (numpy's
 * argsort(-key, kind='mergesort')): ties keep their original order.
 */
export function stableOrderByDescending(key: ArrayLike<number>, count: number, out?: Int32Array): Int32Array {
  const order = out && out.length >= count ? out.subarray(0, count) : new Int32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  // Insertion sort for the short lists of one image (the usual case), a
  // merge sort for long ones (a comparator sort of a typed array is several
  // times slower).
  if (count <= 32) {
    insertionByDescending(key, order, 0, count);
    return order;
  }
  return mergeByDescending(key, order);
}

/** Sorts order[from, to) by descending key, stably. */
function insertionByDescending(key: ArrayLike<number>, order: Int32Array, from: number, to: number): void {
  for (let i = from + 1; i < to; i++) {
    const item = order[i]!;
    const k = key[item]!;
    let j = i - 1;
    while (j >= from && key[order[j]!]! < k) {
      order[j + 1] = order[j]!;
      j--;
    }
    order[j + 1] = item;
  }
}

/** Bottom-up merge sort (runs of 32 by insertion), stable: on equal keys the left run goes first. */
function mergeByDescending(key: ArrayLike<number>, order: Int32Array): Int32Array {
  const n = order.length;
  const RUN = 32;
  for (let lo = 0; lo < n; lo += RUN) insertionByDescending(key, order, lo, Math.min(lo + RUN, n));
  let from: Int32Array = order;
  let to: Int32Array = new Int32Array(n);
  for (let width = RUN; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let i = lo,
        j = mid,
        k = lo;
      while (i < mid && j < hi) to[k++] = key[from[j]!]! > key[from[i]!]! ? from[j++]! : from[i++]!;
      while (i < mid) to[k++] = from[i++]!;
      while (j < hi) to[k++] = from[j++]!;
    }
    [from, to] = [to, from];
  }
  if (from !== order) order.set(from);
  return order;
}
