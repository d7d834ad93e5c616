/**
 * df2's one seeded random source (`df2 synth`, pair sampling, tests and
 * benchmarks). A synthetic split must be the same
 * bytes for the same seed on every machine and every future version of its
 * dependencies, so the generator is written here (sfc32, a small counter-based
 * generator that passes PractRand) instead of borrowed, and only arithmetic is
 * used to draw from it: normal draws use a sum of uniforms rather than
 * logarithms, whose last bits are not specified by ECMAScript.
 *
 * Streams are derived from keys (seed, purpose, index) so that, for example,
 * image 17's detections do not depend on how many random numbers image 16
 * happened to use.
 */

/** A 32-bit finaliser (murmur3's fmix32): spreads every input bit over the output. */
function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hashes a list of unsigned 32-bit keys into one 32-bit word, salted by `salt`. */
function hashKeys(keys: readonly number[], salt: number): number {
  let h = mix32(salt ^ 0x9e3779b9);
  for (const key of keys) h = mix32((h ^ (key >>> 0)) + 0x7f4a7c15 + salt);
  return h;
}

export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** A stream determined by the keys alone, e.g. `Random.from(seed, PURPOSE, imageId)`. */
  static from(...keys: number[]): Random {
    return new Random(hashKeys(keys, 1), hashKeys(keys, 2), hashKeys(keys, 3), hashKeys(keys, 4));
  }

  private constructor(a: number, b: number, c: number, d: number) {
    this.a = a;
    this.b = b;
    this.c = c;
    this.d = d | 1;
    // Discard the first outputs: sfc32's recommended warm-up.
    for (let i = 0; i < 12; i++) this.next32();
  }

  /** The next unsigned 32-bit output of sfc32. */
  next32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.next32() / 4294967296;
  }

  /** Uniform in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  /** Integer in [low, high], both included. */
  int(low: number, high: number): number {
    return low + Math.floor(this.next() * (high - low + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /**
   * Approximately normal (mean 0, standard deviation `sd`): the centred sum of
   * four uniforms (Irwin-Hall), tails cut at 3.5 sd. Plenty for jitter.
   */
  normal(sd = 1): number {
    const sum = this.next() + this.next() + this.next() + this.next();
    // Irwin-Hall(4) has mean 2 and variance 4/12.
    return (sum - 2) * Math.sqrt(3) * sd;
  }

  /** An index drawn with the given (non-negative, not all zero) weights. */
  weighted(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let r = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i]!;
      if (r < 0) return i;
    }
    return weights.length - 1;
  }

  /** One element of a non-empty list. */
  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.next() * list.length)]!;
  }

  /** Shuffles in place (Fisher-Yates) and returns the list. */
  shuffle<T>(list: T[]): T[] {
    for (let i = list.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const t = list[i]!;
      list[i] = list[j]!;
      list[j] = t;
    }
    return list;
  }
}

/** Stream purposes: one key per independent use of randomness. */
export const STREAM = {
  group: 1,
  image: 2,
  detections: 3,
  retrieval: 4,
  paint: 5,
  bootstrap: 6,
} as const;
