/**
 * User and shop item counts per (pair_id, style > 0) group: what positive
 * pairs are counted from (a user item and a shop item of one group form a
 * pair), in one pass over a split whose files need not be ordered by
 * pair_id. `df2 stats` only adds; the explorer's model also takes images
 * out when files change, keeping its count of positive pairs current.
 *
 * It is the one thing `df2 stats` keeps that grows with the split, and a
 * few hundred thousand groups on the explorer's heap slowed its collector,
 * so the groups live in typed columns of an open-addressing hash table
 * outside the JavaScript heap: 16 bytes a slot, at most 3/4 full, against
 * ~60 bytes a group for a Map of pairs. pair_ids and styles beyond 32 bits
 * (valid, but not seen in the release) are counted in a Map beside it.
 */

/** Positive pairs and the items and pair_ids in them. */
export interface PairGroupCounts {
  /** user items x shop items, summed over the groups. */
  positives: number;
  /** User items in a group with at least one shop item. */
  queryItems: number;
  /** Shop items in a group with at least one user item. */
  galleryItems: number;
  /** pair_id values with at least one positive. */
  pairIds: number;
}

/** A free slot's style (styles counted are > 0). */
const FREE = 0;

/**
 * @example
 * const groups = new PairGroups();
 * groups.add(7, 1, false); // a user item of pair_id 7, style 1
 * groups.add(7, 1, true); // two shop items of the same group
 * groups.add(7, 1, true);
 * groups.count(); // { positives: 2, queryItems: 1, galleryItems: 2, pairIds: 1 }
 * groups.change(7, 1, false, -1); // the user item taken out: returns 2, the shop items it paired with
 */
export class PairGroups {
  private pairId = new Int32Array(0);
  private style = new Int32Array(0);
  private users = new Uint32Array(0);
  private shops = new Uint32Array(0);
  private used = 0;
  /** Groups whose pair_id or style does not fit 32 bits: [users, shops] by "pairId:style". */
  private readonly wide = new Map<string, [number, number]>();

  constructor(capacity = 1024) {
    this.allocate(capacity);
  }

  /** Bytes of the table's columns (the wide groups' Map aside). */
  get byteLength(): number {
    return this.pairId.byteLength + this.style.byteLength + this.users.byteLength + this.shops.byteLength;
  }

  /** Number of (pair_id, style) groups holding items. */
  get size(): number {
    return this.used + this.wide.size;
  }

  /** Counts one item with style > 0 of an image with this pair_id (both safe integers, as checked annotations have them). */
  add(pairId: number, style: number, shop: boolean): void {
    this.change(pairId, style, shop, 1);
  }

  /**
   * Adds `by` items (negative: takes them out) to a group, and returns how many
   * items of the other source the group holds: the pairs those items are in.
   * A group left with no items is removed.
   */
  change(pairId: number, style: number, shop: boolean, by: number): number {
    if (!(style > 0 && Number.isSafeInteger(style) && Number.isSafeInteger(pairId))) {
      throw new RangeError(`pair_id ${pairId}, style ${style}: expected safe integers, style > 0`);
    }
    if ((pairId | 0) !== pairId || (style | 0) !== style) return this.changeWide(pairId, style, shop, by);
    let slot = this.find(pairId, style);
    if (this.style[slot] === FREE) {
      if (by < 0) throw new RangeError(`pair_id ${pairId}, style ${style}: no items to take out`);
      if (4 * (this.used + 1) > 3 * this.style.length) {
        this.allocate(this.style.length * 2);
        slot = this.find(pairId, style);
      }
      this.pairId[slot] = pairId;
      this.style[slot] = style;
      this.used++;
    }
    const mine = shop ? this.shops : this.users;
    if (mine[slot]! + by < 0) throw new RangeError(`pair_id ${pairId}, style ${style}: fewer items than taken out`);
    mine[slot]! += by;
    const other = (shop ? this.users : this.shops)[slot]!;
    if (mine[slot] === 0 && other === 0) this.remove(slot);
    return other;
  }

  count(): PairGroupCounts {
    const result = { positives: 0, queryItems: 0, galleryItems: 0, pairIds: 0 };
    const pairIds = new Set<number | string>();
    const group = (pairId: number | string, users: number, shops: number): void => {
      if (users === 0 || shops === 0) return;
      result.positives += users * shops;
      result.queryItems += users;
      result.galleryItems += shops;
      pairIds.add(pairId);
    };
    for (let slot = 0; slot < this.style.length; slot++) group(this.pairId[slot]!, this.users[slot]!, this.shops[slot]!);
    for (const [key, [users, shops]] of this.wide) {
      const pairId = Number(key.slice(0, key.indexOf(':')));
      // A narrow pair_id (with a wide style) is the same pair_id as in the table.
      group((pairId | 0) === pairId ? pairId : String(pairId), users, shops);
    }
    result.pairIds = pairIds.size;
    return result;
  }

  private changeWide(pairId: number, style: number, shop: boolean, by: number): number {
    const key = `${pairId}:${style}`;
    const counts = this.wide.get(key) ?? [0, 0];
    const side = shop ? 1 : 0;
    if (counts[side]! + by < 0) throw new RangeError(`pair_id ${pairId}, style ${style}: fewer items than taken out`);
    counts[side]! += by;
    if (counts[0] === 0 && counts[1] === 0) this.wide.delete(key);
    else this.wide.set(key, counts);
    return counts[1 - side]!;
  }

  private home(pairId: number, style: number): number {
    let h = Math.imul(pairId, 0x9e3779b1) ^ Math.imul(style, 0x85ebca77);
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    return (h ^ (h >>> 12)) & (this.style.length - 1);
  }

  /** The slot holding (pairId, style), or the free slot where it goes. */
  private find(pairId: number, style: number): number {
    const mask = this.style.length - 1;
    for (let slot = this.home(pairId, style); ; slot = (slot + 1) & mask) {
      const s = this.style[slot]!;
      if (s === FREE || (s === style && this.pairId[slot] === pairId)) return slot;
    }
  }

  /** Frees a slot, moving later entries of its run back so that every entry stays reachable from its home slot. */
  private remove(slot: number): void {
    const mask = this.style.length - 1;
    let hole = slot;
    for (let next = (hole + 1) & mask; this.style[next] !== FREE; next = (next + 1) & mask) {
      const home = this.home(this.pairId[next]!, this.style[next]!);
      // The entry at `next` may fill the hole unless its home lies cyclically in (hole, next].
      const stays = hole <= next ? home > hole && home <= next : home > hole || home <= next;
      if (stays) continue;
      this.move(next, hole);
      hole = next;
    }
    this.style[hole] = FREE;
    this.pairId[hole] = 0;
    this.users[hole] = 0;
    this.shops[hole] = 0;
    this.used--;
  }

  private move(from: number, to: number): void {
    this.pairId[to] = this.pairId[from]!;
    this.style[to] = this.style[from]!;
    this.users[to] = this.users[from]!;
    this.shops[to] = this.shops[from]!;
  }

  private allocate(capacity: number): void {
    const old = { pairId: this.pairId, style: this.style, users: this.users, shops: this.shops };
    let size = 16;
    while (size < capacity) size *= 2;
    this.pairId = new Int32Array(size);
    this.style = new Int32Array(size);
    this.users = new Uint32Array(size);
    this.shops = new Uint32Array(size);
    for (let k = 0; k < old.style.length; k++) {
      if (old.style[k] === FREE) continue;
      const slot = this.find(old.pairId[k]!, old.style[k]!);
      this.pairId[slot] = old.pairId[k]!;
      this.style[slot] = old.style[k]!;
      this.users[slot] = old.users[k]!;
      this.shops[slot] = old.shops[k]!;
    }
  }
}
