/**
 * Typed columns that grow by doubling: what df2 keeps per image or per item
 * (a split's listing, its pairs, the explorer's model) lives in typed arrays,
 * not in arrays of objects that every garbage collection walks.
 */
type Column = Int32Array | Uint8Array | Uint16Array | Float64Array;

/**
 * `a` if it holds `size` entries, else a copy at least twice as long (and at least 1,024) that does.
 *
 * @example
 * let ids = new Int32Array(0);
 * ids = grow(ids, count + 1);
 * ids[count++] = id;
 */
export function grow<T extends Column>(a: T, size: number): T {
  if (a.length >= size) return a;
  let n = Math.max(a.length * 2, 1024);
  while (n < size) n *= 2;
  const bigger = new (a.constructor as new (n: number) => T)(n);
  bigger.set(a);
  return bigger;
}
