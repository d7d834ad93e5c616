/**
 * A split's images grouped into classes of what filters and facet counts
 * see of an image: its source and its items' facet codes (split-model.ts),
 * as a sorted list. Two images of one class pass the same filters and add
 * the same to every facet count, so pages' totals and facet counts loop
 * over classes, weighted by their number of images, instead of over images
 * and their items. Kept up to date image by image (add/remove).
 *
 * How much this saves depends on the split: a class per image at worst (the
 * loop is then as long as before), far fewer where images repeat what their
 * items are (most have one to three items drawn from a few common codes).
 */
import { grow } from '../../util/grow.js';

export class ImageClasses {
  /** Per class: images in it, source code, number of items, first of its codes in `codes`. */
  count = new Int32Array(1024);
  shop = new Uint8Array(1024);
  n = new Uint16Array(1024);
  start = new Int32Array(1024);
  /** The classes' item codes, each class's sorted and contiguous. */
  codes = new Uint16Array(4096);
  private length = 0;
  private codesLength = 0;
  private readonly byKey = new Map<string, number>();

  /** Classes made so far (some may have no images left). */
  get size(): number {
    return this.length;
  }

  /** Counts an image of source `shop` with items `codes[start .. start + n)`; returns its class. */
  add(shop: number, codes: Uint16Array, start: number, n: number): number {
    const sorted = codes.slice(start, start + n).sort();
    const key = `${shop}:${sorted.join(',')}`;
    let c = this.byKey.get(key);
    if (c === undefined) {
      c = this.length++;
      if (c === this.count.length) {
        this.count = grow(this.count, c + 1);
        this.shop = grow(this.shop, c + 1);
        this.n = grow(this.n, c + 1);
        this.start = grow(this.start, c + 1);
      }
      this.codes = grow(this.codes, this.codesLength + n);
      this.shop[c] = shop;
      this.n[c] = n;
      this.start[c] = this.codesLength;
      this.codes.set(sorted, this.codesLength);
      this.codesLength += n;
      this.byKey.set(key, c);
    }
    this.count[c]!++;
    return c;
  }

  /** Takes an image out of class `c`. */
  remove(c: number): void {
    this.count[c]!--;
  }
}
