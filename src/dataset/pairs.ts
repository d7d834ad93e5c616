/**
 * Consumer-to-shop pairs at the level of items. A user item and a shop item
 * form a positive pair when their images share pair_id and the items share a
 * style > 0 (Table 1's "pairs" row counts these). Files are not guaranteed to
 * be ordered by pair_id, so one pass over the split fills a compact index (a
 * few typed columns per item, no records kept) and the pairs are enumerated
 * from it afterwards, grouped by pair_id.
 *
 * Negatives are drawn per positive from a seeded generator: shop items of the
 * query's category that are not a positive for it (another pair_id, or the
 * same pair_id with another style): the hard kind, same category and so
 * similar looking. When the category has too few, the rest come from all shop
 * items. Same seed and same split give the same pairs.
 */
import type { ImageRecord, Source } from '../schema/index.js';
import { withAtomicWriter } from '../util/atomic.js';
import { grow } from '../util/grow.js';
import { Random } from '../util/random.js';

/** One item of the index (by its row number). */
export interface PairItem {
  imageId: number;
  /** The item's key in its file, e.g. "item2". */
  itemKey: string;
  pairId: number;
  style: number;
  categoryId: number;
  source: Source;
}

export interface ItemPair {
  query: PairItem;
  gallery: PairItem;
  label: 0 | 1;
}

export interface PairCounts {
  /** Positive user-shop item pairs (Table 1's "pairs"). */
  positives: number;
  negatives: number;
  /** User items with style > 0 that have at least one positive. */
  queryItems: number;
  /** Shop items that are in at least one positive. */
  galleryItems: number;
  /** pair_id values with at least one positive. */
  pairIds: number;
  /**
   * Negatives drawn per positive at most: as asked, capped at the number of
   * shop items (no more distinct ones exist).
   */
  negativesPerPositive: number;
  /** Negatives (of negativesPerPositive) not found: too few shop items that are not a match. */
  negativesShort: number;
}

/** Growable Int32 column. */
class Column {
  data = new Int32Array(1024);
  length = 0;
  push(v: number): void {
    this.data = grow(this.data, this.length + 1);
    this.data[this.length++] = v;
  }
  get(i: number): number {
    return this.data[i]!;
  }
}

const ITEM_NUMBER = /^item(\d+)$/;
const SHOP = 1;
const USER = 0;

/** The compact per-item index behind pair enumeration and counting. */
export class PairIndex {
  private readonly imageId = new Column();
  private readonly itemNumber = new Column();
  private readonly pairId = new Column();
  private readonly style = new Column();
  private readonly category = new Column();
  private readonly source = new Column();

  get size(): number {
    return this.imageId.length;
  }

  add(record: Pick<ImageRecord, 'id' | 'pairId' | 'source' | 'items'>): void {
    for (const item of record.items) {
      const match = ITEM_NUMBER.exec(item.key);
      if (!match) throw new RangeError(`item key ${JSON.stringify(item.key)} is not itemN`);
      this.imageId.push(record.id);
      this.itemNumber.push(Number(match[1]));
      this.pairId.push(record.pairId);
      this.style.push(item.style);
      this.category.push(item.categoryId);
      this.source.push(record.source === 'shop' ? SHOP : USER);
    }
  }

  item(row: number): PairItem {
    return {
      imageId: this.imageId.get(row),
      itemKey: `item${this.itemNumber.get(row)}`,
      pairId: this.pairId.get(row),
      style: this.style.get(row),
      categoryId: this.category.get(row),
      source: this.source.get(row) === SHOP ? 'shop' : 'user',
    };
  }

  /** Rows grouped by pair_id (ascending), each group in reading order (image, then key order). */
  private groups(): Int32Array[] {
    const rows = Int32Array.from({ length: this.size }, (_, i) => i);
    const pair = this.pairId.data;
    rows.sort((a, b) => pair[a]! - pair[b]! || a - b);
    const groups: Int32Array[] = [];
    for (let start = 0; start < rows.length;) {
      let end = start + 1;
      while (end < rows.length && pair[rows[end]!] === pair[rows[start]!]) end++;
      groups.push(rows.subarray(start, end));
      start = end;
    }
    return groups;
  }

  /** Positive pairs as [user row, shop row], grouped by pair_id, user items in reading order. */
  *positiveRows(): Generator<[number, number]> {
    const style = this.style.data;
    const source = this.source.data;
    for (const group of this.groups()) {
      for (const u of group) {
        if (source[u] !== USER || style[u]! <= 0) continue;
        for (const s of group) {
          if (source[s] === SHOP && style[s] === style[u]) yield [u, s];
        }
      }
    }
  }

  /** Counts of positives, without enumerating them: per (pair_id, style), users x shops. */
  countPositives(): Pick<PairCounts, 'positives' | 'queryItems' | 'galleryItems' | 'pairIds'> {
    const style = this.style.data;
    const source = this.source.data;
    let positives = 0,
      queryItems = 0,
      galleryItems = 0,
      pairIds = 0;
    for (const group of this.groups()) {
      const perStyle = new Map<number, [number, number]>();
      for (const row of group) {
        if (style[row]! <= 0) continue;
        const counts = perStyle.get(style[row]!) ?? [0, 0];
        counts[source[row] === SHOP ? 1 : 0]++;
        perStyle.set(style[row]!, counts);
      }
      let groupPositives = 0;
      for (const [users, shops] of perStyle.values()) {
        groupPositives += users * shops;
        if (users > 0 && shops > 0) {
          queryItems += users;
          galleryItems += shops;
        }
      }
      positives += groupPositives;
      if (groupPositives > 0) pairIds++;
    }
    return { positives, queryItems, galleryItems, pairIds };
  }

  /**
   * Every positive, each followed by `negativesPerPositive` negatives drawn
   * with a generator seeded by `seed`. `counts` is filled as pairs are made.
   */
  *pairs(negativesAsked: number, seed: number, counts: PairCounts = emptyPairCounts()): Generator<ItemPair> {
    const pools = negativesAsked > 0 ? this.shopPools() : undefined;
    const negativesPerPositive = Math.min(negativesAsked, pools?.all.length ?? 0);
    counts.negativesPerPositive = negativesPerPositive;
    const random = Random.from(seed);
    const seenQuery = new Set<number>();
    const seenGallery = new Set<number>();
    let lastPair: number | undefined;
    for (const [u, s] of this.positiveRows()) {
      counts.positives++;
      if (!seenQuery.has(u)) {
        seenQuery.add(u);
        counts.queryItems++;
      }
      if (!seenGallery.has(s)) {
        seenGallery.add(s);
        counts.galleryItems++;
      }
      const pair = this.pairId.get(u);
      if (pair !== lastPair) {
        counts.pairIds++;
        lastPair = pair;
      }
      const query = this.item(u);
      yield { query, gallery: this.item(s), label: 1 };
      if (!pools) continue;
      const drawn = this.drawNegatives(u, negativesPerPositive, pools, random);
      counts.negatives += drawn.length;
      counts.negativesShort += negativesPerPositive - drawn.length;
      for (const row of drawn) yield { query, gallery: this.item(row), label: 0 };
    }
  }

  /** Shop rows by category, and all shop rows. */
  private shopPools(): { byCategory: Map<number, Int32Array>; all: Int32Array } {
    const lists = new Map<number, number[]>();
    const all: number[] = [];
    for (let row = 0; row < this.size; row++) {
      if (this.source.get(row) !== SHOP) continue;
      all.push(row);
      const c = this.category.get(row);
      let list = lists.get(c);
      if (!list) lists.set(c, (list = []));
      list.push(row);
    }
    return { byCategory: new Map([...lists].map(([c, l]) => [c, Int32Array.from(l)])), all: Int32Array.from(all) };
  }

  /** Up to k distinct shop rows that are not positives of `queryRow`: same category first. */
  private drawNegatives(queryRow: number, k: number, pools: { byCategory: Map<number, Int32Array>; all: Int32Array }, random: Random): number[] {
    const pairId = this.pairId.get(queryRow);
    const style = this.style.get(queryRow);
    const isPositive = (row: number): boolean => this.pairId.get(row) === pairId && this.style.get(row) === style;
    const chosen: number[] = [];
    const taken = new Set<number>();
    for (const pool of [pools.byCategory.get(this.category.get(queryRow)), pools.all]) {
      if (!pool || pool.length === 0) continue;
      if (4 * k <= pool.length) {
        // Rejection sampling; the bound only matters when nearly every
        // candidate is a positive or already taken.
        for (let attempts = 0; chosen.length < k && attempts < 20 * k + 20; attempts++) {
          const row = pool[Math.floor(random.next() * pool.length)]!;
          if (taken.has(row) || isPositive(row)) continue;
          taken.add(row);
          chosen.push(row);
        }
      } else {
        // k is a large part of the pool: a partial shuffle, which visits each candidate once.
        const order = Int32Array.from(pool);
        for (let i = 0; i < order.length && chosen.length < k; i++) {
          const j = i + Math.floor(random.next() * (order.length - i));
          const row = order[j]!;
          order[j] = order[i]!;
          order[i] = row;
          if (taken.has(row) || isPositive(row)) continue;
          taken.add(row);
          chosen.push(row);
        }
      }
      if (chosen.length === k) break;
    }
    return chosen;
  }
}

export function emptyPairCounts(): PairCounts {
  return { positives: 0, negatives: 0, queryItems: 0, galleryItems: 0, pairIds: 0, negativesPerPositive: 0, negativesShort: 0 };
}

/** One pair as a JSON line (the `df2 pairs` output format). */
export function pairJsonLine(pair: ItemPair): string {
  const line: Record<string, number | string> = {
    query_image_id: pair.query.imageId,
    query_item: pair.query.itemKey,
    gallery_image_id: pair.gallery.imageId,
    gallery_item: pair.gallery.itemKey,
    pair_id: pair.query.pairId,
    style: pair.query.style,
    label: pair.label,
  };
  if (pair.label === 0) {
    line.gallery_pair_id = pair.gallery.pairId;
    line.gallery_style = pair.gallery.style;
  }
  return JSON.stringify(line);
}

/**
 * Streams every pair of the index to `target` as JSON lines; the file appears
 * only when complete. Returns the counts.
 */
export async function writePairsFile(index: PairIndex, target: string, options: { negatives?: number; seed?: number } = {}): Promise<PairCounts> {
  const counts = emptyPairCounts();
  await withAtomicWriter(target, async (out) => {
    let batch = '';
    for (const pair of index.pairs(options.negatives ?? 0, options.seed ?? 0, counts)) {
      batch += pairJsonLine(pair) + '\n';
      if (batch.length > 1 << 20) {
        await out.write(batch);
        batch = '';
      }
    }
    await out.write(batch);
  });
  return counts;
}
