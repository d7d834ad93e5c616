/** Typed columns that grow by doubling. */
export type Column = Int32Array | Uint8Array | Uint16Array | Float64Array;

/** `a` if it holds `size` entries, else a copy at least twice as long (and at least 1,024) that does. */
export function grow<T extends Column>(a: T, size: number): T {
  if (a.length >= size) return a;
  let n = Math.max(a.length * 2, 1024);
  while (n < size) n *= 2;
  const bigger = new (a.constructor as new (n: number) => T)(n);
  bigger.set(a);
  return bigger;
}
