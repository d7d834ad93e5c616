/**
 * A split's index held in memory as typed columns, kept up to date one image
 * at a time: the cache behind filtered pages, facet counts and statistics.
 * The database stays the source of truth; this is loaded from it once (in
 * chunks, off the request path) and then changed by the same writes that
 * change the database, so an indexing run of 100 files costs 100 updates,
 * not a reload.
 *
 * Layout: image columns indexed by image id (ids are six-digit file names,
 * so at most a million slots), and an item pool where each image's items
 * sit contiguously. Each item also has a 13-bit code packing its six facet
 * values; a query turns its filters into a table over the 8,192 codes once,
 * and the scan is then one table lookup per item (about 5 ms for the train
 * split's 636,624 items).
 *
 * Item facets are, in bit order of a code's failures, ITEM_FACETS (category,
 * style, scale, occlusion, zoomIn, viewpoint).
 *
 * Facet semantics (as the explorer shows them): the count of a value is the
 * number of images that match every other filter and have the value; for an
 * item facet, on an item that also passes every other item filter.
 */
import { ATTRIBUTE_NAMES } from '../../schema/index.js';
import { PairGroups } from '../../dataset/internal.js';
import { ITEM_FACETS, type Facet, type ImageFilters } from './filters.js';
import { ITEM_BYTES, SOURCES, itemBytes, sourceCode, type ImageBatch } from './image-batch.js';
import type { FacetCounts, ImageRow, SplitStats } from './types.js';
import { ImageClasses } from './image-classes.js';
import { grow } from '../../util/grow.js';

/** An image row as read for the model: id, source, pair_id, width, height, has_image (0/1 or boolean), packed items (image-batch.ts). */
export type ImageTuple = [number, 'user' | 'shop' | 'unknown', number, number, number, number | boolean, Uint8Array];

/**
 * The item code, spelled once: each facet's field in ITEM_FACETS order
 * (category 4 bits, 1..13; style > 0, 1 bit; scale, occlusion, zoom_in,
 * viewpoint 2 bits each, 1..3), 13 bits in all. packCode writes it;
 * codeField, and everything that reads a code, reads it through this table.
 */
const CODE_FIELDS: readonly { shift: number; bits: number }[] = [
  { shift: 0, bits: 4 },
  { shift: 4, bits: 1 },
  { shift: 5, bits: 2 },
  { shift: 7, bits: 2 },
  { shift: 9, bits: 2 },
  { shift: 11, bits: 2 },
];
const CODE_SHIFT = CODE_FIELDS.map((f) => f.shift);
const CODE_MASK = CODE_FIELDS.map((f) => (1 << f.bits) - 1);
const N_CODES = 1 << (CODE_FIELDS.at(-1)!.shift + CODE_FIELDS.at(-1)!.bits);
/** Facet index f of ITEM_FACETS (0 category, 1 style > 0, then scale, occlusion, zoom_in, viewpoint). */
const CATEGORY = 0;
const STYLE = 1;
/** The attributes' facets, in ATTRIBUTE_NAMES order. */
const ATTRIBUTE_FACETS = [2, 3, 4, 5];

/** Facet f's value in code c. */
const codeField = (c: number, f: number): number => (c >> CODE_SHIFT[f]!) & CODE_MASK[f]!;
const packCode = (category: number, style: number, scale: number, occlusion: number, zoomIn: number, viewpoint: number): number =>
  [category, style > 0 ? 1 : 0, scale, occlusion, zoomIn, viewpoint].reduce((c, v, f) => c | ((v & CODE_MASK[f]!) << CODE_SHIFT[f]!), 0);
/** The six facet values of a code, in ITEM_FACETS order (style: 0 zero, 1 positive). */
const codeValues = (c: number): number[] => CODE_FIELDS.map((_, f) => codeField(c, f));

/*
 * A 27-bit mask of facet values: category c at bit c - 1, style zero/positive
 * at 13/14, then scale, occlusion, zoom_in, viewpoint values 1..3 three bits each.
 */
const FACET_BASE = [-1, 13, 14, 17, 20, 23];
const FACET_WIDTH = [13, 2, 3, 3, 3, 3];
const valueBit = (f: number, v: number): number => (f === STYLE ? 1 << (13 + v) : 1 << (FACET_BASE[f]! + v));
/** Each facet's bits in the mask. */
const FACET_MASK = FACET_WIDTH.map((width, f) => {
  let m = 0;
  for (let v = f === STYLE ? 0 : 1; v <= (f === STYLE ? 1 : width); v++) m |= valueBit(f, v);
  return m;
});
/** valueBits[code]: the code's six values as bits of the mask. */
const VALUE_BITS = (() => {
  const bits = new Int32Array(N_CODES);
  for (let c = 0; c < N_CODES; c++) {
    const values = codeValues(c);
    let m = 0;
    values.forEach((v, f) => {
      if (f === STYLE || (v >= 1 && v <= FACET_WIDTH[f]!)) m |= valueBit(f, v);
    });
    bits[c] = m;
  }
  return bits;
})();
/** For each bit of the mask: its facet and value name. */
const BIT_NAMES: { facet: Facet; value: string }[] = [];
ITEM_FACETS.forEach((facet, f) => {
  for (let v = f === STYLE ? 0 : 1; v <= (f === STYLE ? 1 : FACET_WIDTH[f]!); v++) {
    BIT_NAMES[31 - Math.clz32(valueBit(f, v))] = { facet, value: f === STYLE ? (v ? 'positive' : 'zero') : String(v) };
  }
});

/** The item columns, by pool slot. */
interface ItemPool {
  codes: Uint16Array;
  style: Float64Array;
  visible: Uint8Array;
  occluded: Uint8Array;
}

/** Running counts behind SplitStats, changed by +1/-1 per image. */
class StatsCounters {
  /** Per source code (0 user, 1 shop, 2 unknown): images and items. */
  images = [0, 0, 0];
  items = [0, 0, 0];
  /** [category * 2 + shop] */
  categories = new Float64Array(32);
  /** [attribute * 4 + value] */
  attributes = new Float64Array(16);
  style = [0, 0];
  itemsPerImage = new Map<number, number>();
  landmarks = [0, 0];
  /** pair_id -> images with it. */
  pairImages = new Map<number, number>();
  /** User and shop items per (pair_id, style > 0): typed columns, off the heap the collector walks. */
  pairStyles = new PairGroups();
  positivePairs = 0;

  /** Adds (sign 1) or takes out (-1) an image: its source, pair_id and items as columns from `start`. */
  add(shop: number, pairId: number, n: number, pool: ItemPool, start: number, sign: 1 | -1): void {
    this.images[shop]! += sign;
    this.items[shop]! += sign * n;
    bump(this.itemsPerImage, n, sign);
    // Images of unknown source (an images-only split) have no pair_id.
    if (shop !== 2) bump(this.pairImages, pairId, sign);
    for (let k = start; k < start + n; k++) {
      const c = pool.codes[k]!;
      const style = pool.style[k]!;
      this.categories[codeField(c, CATEGORY) * 2 + shop]! += sign;
      for (let a = 0; a < ATTRIBUTE_FACETS.length; a++) this.attributes[a * 4 + codeField(c, ATTRIBUTE_FACETS[a]!)]! += sign;
      this.style[style > 0 ? 1 : 0]! += sign;
      this.landmarks[0]! += sign * pool.visible[k]!;
      this.landmarks[1]! += sign * pool.occluded[k]!;
      // Each user item pairs with every shop item of its group, and the other way round.
      if (style > 0) this.positivePairs += sign * this.pairStyles.change(pairId, style, shop === 1, sign);
    }
  }

  result(): SplitStats {
    const categories: SplitStats['categories'] = {};
    for (let c = 0; c < 16; c++) {
      const user = this.categories[c * 2]!,
        shop = this.categories[c * 2 + 1]!;
      if (user || shop) categories[c] = { user, shop };
    }
    const attributes: SplitStats['attributes'] = {};
    ATTRIBUTE_NAMES.forEach((name, a) => {
      const counts: Record<string, number> = {};
      for (let v = 0; v < 4; v++) if (this.attributes[a * 4 + v]) counts[v] = this.attributes[a * 4 + v]!;
      attributes[name] = counts;
    });
    return {
      images: { user: this.images[0]!, shop: this.images[1]! },
      items: { user: this.items[0]!, shop: this.items[1]! },
      categories,
      attributes,
      style: { zero: this.style[0]!, positive: this.style[1]! },
      itemsPerImage: Object.fromEntries([...this.itemsPerImage].sort((a, b) => a[0] - b[0]).map(([n, k]) => [String(n), k])),
      pairIds: this.pairImages.size,
      positivePairs: this.positivePairs,
      landmarks: { visible: this.landmarks[0]!, occluded: this.landmarks[1]! },
    };
  }
}

function bump(map: Map<number, number>, key: number, by: number): void {
  const n = (map.get(key) ?? 0) + by;
  if (n === 0) map.delete(key);
  else map.set(key, n);
}

/** Filters turned into per-code and per-image tests. */
interface CompiledFilters {
  /** Bits of the facet values an item of this code adds to its image's mask (0: it fails two or more item filters). */
  contribution: Int32Array;
  /** 1 when an item of this code passes every item filter. */
  full: Uint8Array;
  anyItemFilter: boolean;
  /** -1: no source filter; else 0 user, 1 shop. */
  source: number;
  items: Set<number> | undefined;
  pairId: number | undefined;
}

/** A facet's allowed values as bits (bit v: value v), or -1 (every value) when it is not filtered. */
function allowedBits(values: readonly number[] | undefined): number {
  if (!values?.length) return -1;
  let bits = 0;
  for (const v of values) if (v >= 0 && v < 31) bits |= 1 << v;
  return bits;
}

function compile(filters: ImageFilters): CompiledFilters {
  // One bit mask per item facet, in ITEM_FACETS order: the table below is 8,192 codes of bit tests.
  const allowed = [
    allowedBits(filters.category),
    filters.style?.length === 1 ? (filters.style[0] === 'positive' ? 2 : 1) : -1,
    allowedBits(filters.scale),
    allowedBits(filters.occlusion),
    allowedBits(filters.zoomIn),
    allowedBits(filters.viewpoint),
  ];
  const contribution = new Int32Array(N_CODES);
  const full = new Uint8Array(N_CODES);
  for (let c = 0; c < N_CODES; c++) {
    // Bit f set: the code's value of facet f is not allowed.
    let fail = 0;
    for (let f = 0; f < CODE_FIELDS.length; f++) if (!((allowed[f]! >> codeField(c, f)) & 1)) fail |= 1 << f;
    if (fail === 0) {
      contribution[c] = VALUE_BITS[c]!;
      full[c] = 1;
    } else if ((fail & (fail - 1)) === 0) {
      // Failing only facet f, the item still counts for f's own values.
      contribution[c] = VALUE_BITS[c]! & FACET_MASK[31 - Math.clz32(fail)]!;
    }
  }
  return {
    contribution,
    full,
    anyItemFilter: allowed.some((a) => a !== -1),
    source: filters.source?.length === 1 ? (filters.source[0] === 'shop' ? 1 : 0) : -1,
    items: filters.items?.length ? new Set(filters.items) : undefined,
    pairId: filters.pairId,
  };
}

/** Facet counts being summed, image by image or class by class (weight: images of the class). */
class FacetTally {
  private readonly bitCounts = new Float64Array(32);
  private readonly sourceCounts = [0, 0, 0];
  private readonly itemsCounts = new Map<number, number>();

  constructor(private readonly f: CompiledFilters) {}

  add(shop: number, n: number, codes: Uint16Array, start: number, weight: number): void {
    const { f } = this;
    const sourceOk = f.source < 0 || shop === f.source;
    const itemsOk = !f.items || f.items.has(n);
    let seen = 0;
    let fullMatch = f.anyItemFilter ? 0 : 1;
    for (let k = start, end = start + n; k < end; k++) {
      const c = codes[k]!;
      seen |= f.contribution[c]!;
      fullMatch |= f.full[c]!;
    }
    if (sourceOk && itemsOk) {
      while (seen !== 0) {
        const low = seen & -seen;
        this.bitCounts[31 - Math.clz32(low)]! += weight;
        seen ^= low;
      }
    }
    if (fullMatch) {
      if (itemsOk) this.sourceCounts[shop]! += weight;
      if (sourceOk) this.itemsCounts.set(n, (this.itemsCounts.get(n) ?? 0) + weight);
    }
  }

  result(): FacetCounts {
    const out = Object.fromEntries(ITEM_FACETS.map((facet) => [facet, {}])) as FacetCounts;
    this.bitCounts.forEach((count, bit) => {
      if (count > 0) out[BIT_NAMES[bit]!.facet][BIT_NAMES[bit]!.value] = count;
    });
    out.source = {};
    if (this.sourceCounts[0]) out.source.user = this.sourceCounts[0];
    if (this.sourceCounts[1]) out.source.shop = this.sourceCounts[1];
    out.items = Object.fromEntries([...this.itemsCounts].sort((a, b) => a[0] - b[0]).map(([v, k]) => [String(v), k]));
    return out;
  }
}

export class SplitModel implements ItemPool {
  /** Per image id. */
  private alive = new Uint8Array(0);
  private shop = new Uint8Array(0);
  private nItems = new Uint16Array(0);
  private pairId = new Int32Array(0);
  private width = new Int32Array(0);
  private height = new Int32Array(0);
  private hasImage = new Uint8Array(0);
  private itemStart = new Int32Array(0);
  private itemCapacity = new Uint16Array(0);
  /** One past the largest image id held. */
  private idLimit = 0;
  /** Item pool. */
  codes = new Uint16Array(0);
  style = new Float64Array(0);
  visible = new Uint8Array(0);
  occluded = new Uint8Array(0);
  private poolLength = 0;
  /** Pool slots no image uses any more (compacted when they are half the pool). */
  private poolWasted = 0;
  private readonly counters = new StatsCounters();
  /** Images by what filters see of them (image-classes.ts), and each image's class by image id. */
  private readonly classes = new ImageClasses();
  private classOf = new Int32Array(0);
  /** Images of a pair_id as a doubly linked list by image id (-1 ends it). */
  private readonly pairHead = new Map<number, number>();
  private pairNext = new Int32Array(0);
  private pairPrev = new Int32Array(0);
  private readonly compileCache = new Map<string, CompiledFilters>();
  /** Bumped by every change (cache keys). */
  version = 0;

  get imageCount(): number {
    return this.counters.images[0]! + this.counters.images[1]! + this.counters.images[2]!;
  }

  get itemCount(): number {
    return this.counters.items[0]! + this.counters.items[1]!;
  }

  /** Replaces the batch's images (inserting new ones) and removes `removed`. */
  applyBatch(batch: ImageBatch, removed: ArrayLike<number> = []): void {
    for (let k = 0; k < removed.length; k++) this.remove(removed[k]!);
    for (let k = 0; k < batch.count; k++) {
      const id = batch.imageId[k]!;
      this.remove(id);
      const n = batch.itemStart[k + 1]! - batch.itemStart[k]!;
      const start = this.place(id, n);
      this.setItems(start, itemBytes(batch, k), n);
      this.setImage(id, batch.source[k]!, batch.pairId[k]!, batch.width[k]!, batch.height[k]!, batch.hasImage[k] === 1, n);
    }
    if (batch.count > 0 || removed.length > 0) this.version++;
    if (this.poolWasted > 1 << 16 && this.poolWasted * 2 > this.poolLength) this.compact();
  }

  private remove(id: number): void {
    if (id < 0 || id >= this.idLimit || !this.alive[id]) return;
    this.alive[id] = 0;
    this.classes.remove(this.classOf[id]!);
    const next = this.pairNext[id]!,
      prev = this.pairPrev[id]!;
    if (prev >= 0) this.pairNext[prev] = next;
    else if (next >= 0) this.pairHead.set(this.pairId[id]!, next);
    else this.pairHead.delete(this.pairId[id]!);
    if (next >= 0) this.pairPrev[next] = prev;
    this.counters.add(this.shop[id]!, this.pairId[id]!, this.nItems[id]!, this, this.itemStart[id]!, -1);
  }

  /** Makes room for image `id` with `n` items; returns its first pool slot. */
  private place(id: number, n: number): number {
    if (!Number.isInteger(id) || id < 0 || id > 0x7fffffff) throw new Error(`image id ${id} out of range`);
    this.ensureIds(id + 1);
    if (n > this.itemCapacity[id]!) {
      this.poolWasted += this.itemCapacity[id]!;
      this.ensurePool(this.poolLength + n);
      this.itemStart[id] = this.poolLength;
      this.itemCapacity[id] = n;
      this.poolLength += n;
    }
    return this.itemStart[id]!;
  }

  private setImage(id: number, shop: number, pairId: number, width: number, height: number, hasImage: boolean, n: number): void {
    this.alive[id] = 1;
    this.shop[id] = shop;
    this.nItems[id] = n;
    this.pairId[id] = pairId;
    this.width[id] = width;
    this.height[id] = height;
    this.hasImage[id] = hasImage ? 1 : 0;
    this.counters.add(shop, pairId, n, this, this.itemStart[id]!, 1);
    this.classOf[id] = this.classes.add(shop, this.codes, this.itemStart[id]!, n);
    const head = this.pairHead.get(pairId) ?? -1;
    this.pairNext[id] = head;
    this.pairPrev[id] = -1;
    if (head >= 0) this.pairPrev[head] = id;
    this.pairHead.set(pairId, id);
  }

  /** Fills pool slots from `start` with `n` packed items (image-batch.ts). */
  private setItems(start: number, bytes: Uint8Array, n: number): void {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let j = 0; j < n; j++) {
      const at = j * ITEM_BYTES;
      const style = view.getFloat64(at + 8, true);
      this.codes[start + j] = packCode(bytes[at]!, style, bytes[at + 1]!, bytes[at + 2]!, bytes[at + 3]!, bytes[at + 4]!);
      this.style[start + j] = style;
      this.visible[start + j] = bytes[at + 5]!;
      this.occluded[start + j] = bytes[at + 6]!;
    }
  }

  /**
   * Adds images straight from database rows (items packed as the batch packs
   * them), without an object per image or item: the model's load reads a
   * whole split this way.
   */
  loadRows(images: readonly ImageTuple[]): void {
    for (const [id, source, pairId, width, height, hasImage, items] of images) {
      this.remove(id);
      const n = Math.floor(items.byteLength / ITEM_BYTES);
      const start = this.place(id, n);
      this.setItems(start, items, n);
      this.setImage(id, sourceCode(source), pairId, width, height, Boolean(hasImage), n);
    }
    if (images.length > 0) this.version++;
  }

  private ensureIds(size: number): void {
    if (size <= this.idLimit) return;
    this.alive = grow(this.alive, size);
    this.shop = grow(this.shop, size);
    this.nItems = grow(this.nItems, size);
    this.pairId = grow(this.pairId, size);
    this.width = grow(this.width, size);
    this.height = grow(this.height, size);
    this.hasImage = grow(this.hasImage, size);
    this.itemStart = grow(this.itemStart, size);
    this.itemCapacity = grow(this.itemCapacity, size);
    this.classOf = grow(this.classOf, size);
    this.pairNext = grow(this.pairNext, size);
    this.pairPrev = grow(this.pairPrev, size);
    this.idLimit = size;
  }

  private ensurePool(size: number): void {
    this.codes = grow(this.codes, size);
    this.style = grow(this.style, size);
    this.visible = grow(this.visible, size);
    this.occluded = grow(this.occluded, size);
  }

  /** Rewrites the pool in image order without the slots left behind by images that grew. */
  private compact(): void {
    const size = Math.max(1024, this.poolLength - this.poolWasted);
    const codes = new Uint16Array(size),
      style = new Float64Array(size),
      visible = new Uint8Array(size),
      occluded = new Uint8Array(size);
    let at = 0;
    for (let id = 0; id < this.idLimit; id++) {
      if (!this.alive[id]) {
        this.itemCapacity[id] = 0;
        continue;
      }
      const n = this.nItems[id]!;
      const from = this.itemStart[id]!;
      codes.set(this.codes.subarray(from, from + n), at);
      style.set(this.style.subarray(from, from + n), at);
      visible.set(this.visible.subarray(from, from + n), at);
      occluded.set(this.occluded.subarray(from, from + n), at);
      this.itemStart[id] = at;
      this.itemCapacity[id] = n;
      at += n;
    }
    this.codes = codes;
    this.style = style;
    this.visible = visible;
    this.occluded = occluded;
    this.poolLength = at;
    this.poolWasted = 0;
  }

  /** The image as a page of results shows it. */
  image(id: number): ImageRow | undefined {
    if (id < 0 || id >= this.idLimit || !this.alive[id]) return undefined;
    return {
      imageId: id,
      source: SOURCES[this.shop[id]!]!,
      pairId: this.pairId[id]!,
      width: this.width[id]!,
      height: this.height[id]!,
      hasImage: this.hasImage[id] === 1,
      itemCount: this.nItems[id]!,
    };
  }

  /** Ids of the images with this pair_id, ascending. */
  private pairMembers(pairId: number): number[] {
    const ids: number[] = [];
    for (let id = this.pairHead.get(pairId) ?? -1; id >= 0; id = this.pairNext[id]!) ids.push(id);
    return ids.sort((a, b) => a - b);
  }

  /** The images with this pair_id, in image id order, at most `limit`. */
  imagesOfPair(pairId: number, limit: number): ImageRow[] {
    return this.pairMembers(pairId)
      .slice(0, limit)
      .map((id) => this.image(id)!);
  }

  /** Per class: 1 when its images pass the filters. */
  private classMatches(f: CompiledFilters): Uint8Array {
    const { count, shop, n, start, codes, size } = this.classes;
    const match = new Uint8Array(size);
    for (let c = 0; c < size; c++) {
      if (count[c] === 0) continue;
      if (f.source >= 0 && shop[c] !== f.source) continue;
      if (f.items && !f.items.has(n[c]!)) continue;
      let ok = !f.anyItemFilter;
      for (let k = start[c]!, end = k + n[c]!; k < end && !ok; k++) ok = f.full[codes[k]!] === 1;
      if (ok) match[c] = 1;
    }
    return match;
  }

  /** Whether image `id` passes the filters (other than pair_id). */
  private imageMatches(f: CompiledFilters, id: number): boolean {
    if (f.source >= 0 && this.shop[id] !== f.source) return false;
    if (f.items && !f.items.has(this.nItems[id]!)) return false;
    if (!f.anyItemFilter) return true;
    for (let k = this.itemStart[id]!, end = k + this.nItems[id]!; k < end; k++) if (f.full[this.codes[k]!] === 1) return true;
    return false;
  }

  /** Images matching the filters: how many, and those at [offset, offset + limit) in image id order. */
  query(filters: ImageFilters, offset: number, limit: number): { total: number; images: ImageRow[] } {
    const f = this.compiled(filters);
    const ids: number[] = [];
    let total = 0;
    if (f.pairId !== undefined) {
      for (const id of this.pairMembers(f.pairId)) {
        if (!this.imageMatches(f, id)) continue;
        if (total >= offset && ids.length < limit) ids.push(id);
        total++;
      }
    } else {
      // The total from the classes; the page from the images, up to its last one.
      const match = this.classMatches(f);
      const { count } = this.classes;
      for (let c = 0; c < match.length; c++) if (match[c]) total += count[c]!;
      const { alive, classOf } = this;
      let seen = 0;
      for (let id = 0; offset < total && id < this.idLimit && ids.length < limit; id++) {
        if (!alive[id] || !match[classOf[id]!]) continue;
        if (seen++ >= offset) ids.push(id);
      }
    }
    return { total, images: ids.map((id) => this.image(id)!) };
  }

  /** Facet counts under the filters (each facet's own filter left out of its counts). */
  facets(filters: ImageFilters): FacetCounts {
    const f = this.compiled(filters);
    const counts = new FacetTally(f);
    if (f.pairId !== undefined) {
      for (const id of this.pairMembers(f.pairId)) counts.add(this.shop[id]!, this.nItems[id]!, this.codes, this.itemStart[id]!, 1);
    } else {
      const { count, shop, n, start, codes, size } = this.classes;
      for (let c = 0; c < size; c++) if (count[c]! > 0) counts.add(shop[c]!, n[c]!, codes, start[c]!, count[c]!);
    }
    return counts.result();
  }

  /** Filters compiled (a few recent ones kept: a page and its facet counts ask with the same). */
  private compiled(filters: ImageFilters): CompiledFilters {
    const key = JSON.stringify(filters);
    let f = this.compileCache.get(key);
    if (f) this.compileCache.delete(key);
    else f = compile(filters);
    this.compileCache.set(key, f);
    if (this.compileCache.size > 32) this.compileCache.delete(this.compileCache.keys().next().value!);
    return f;
  }

  stats(): SplitStats {
    return this.counters.result();
  }
}

// Sources are kept as sourceCode() numbers (image-batch.ts): 0 user, 1 shop, 2 unknown (an images-only
// split: the test split). Images of unknown source count in the split's total only, in no source's figures.
