/**
 * The figures of a split that the DeepFashion2 paper reports: Table 1
 * (images, boxes, landmarks, masks, pairs) and Figure 3's breakdowns (items
 * per category, scale, occlusion, zoom-in, viewpoint, source), plus landmark
 * visibility. Collected one record at a time; only counters are kept: per
 * category, attribute and value, and per (pair_id, style) group the numbers
 * of user and shop items (what positive pairs are counted from; a typed table
 * of 16-byte slots outside the JavaScript heap, pair-groups.ts), so memory grows with
 * the number of pair groups only, not with images or items.
 */
import type { ImageRecord } from '../schema/index.js';
import { ATTRIBUTES, ATTRIBUTE_NAMES, CATEGORIES, type AttributeName } from '../schema/index.js';
import { PairGroups } from './pair-groups.js';

/** Counts per value of an attribute, keyed by the value's name ("small", "moderate", "large", ...). */
export type AttributeCounts = Record<string, number>;

export interface CategoryStats {
  id: number;
  /** COCO name, e.g. "short_sleeved_shirt". */
  name: string;
  items: number;
  userItems: number;
  shopItems: number;
  /** Labelled landmarks (v = 1 or 2) of this category's items. */
  landmarks: number;
  attributes: Record<AttributeName, AttributeCounts>;
}

export interface SplitStats {
  /** Table 1 for this split. */
  table1: {
    images: number;
    /** Items; each has one box. */
    boxes: number;
    /** Labelled landmarks: v = 1 (occluded) or v = 2 (visible). */
    landmarks: number;
    /** Items with at least one polygon. */
    masks: number;
    /** Positive user-shop item pairs: same pair_id, same style > 0. */
    pairs: number;
  };
  landmarks: { visible: number; occluded: number; unlabelled: number };
  source: { user: { images: number; items: number }; shop: { images: number; items: number } };
  pairs: { positives: number; queryItems: number; galleryItems: number; pairIds: number };
  /** Items with style 0 (cannot form a pair) and style > 0. */
  styles: { zero: number; positive: number };
  /** Number of images by how many items they hold (key: item count). */
  itemsPerImage: Record<string, number>;
  attributes: Record<AttributeName, AttributeCounts>;
  categories: CategoryStats[];
}

const emptyAttributeCounts = (): Record<AttributeName, AttributeCounts> =>
  Object.fromEntries(ATTRIBUTE_NAMES.map((a) => [a, Object.fromEntries(ATTRIBUTES[a].map((v) => [v, 0]))])) as Record<AttributeName, AttributeCounts>;

const attributeValue = (item: ImageRecord['items'][number], attribute: AttributeName): number => (attribute === 'zoom_in' ? item.zoomIn : item[attribute]);

export class SplitStatsCollector {
  private readonly stats: SplitStats = {
    table1: { images: 0, boxes: 0, landmarks: 0, masks: 0, pairs: 0 },
    landmarks: { visible: 0, occluded: 0, unlabelled: 0 },
    source: { user: { images: 0, items: 0 }, shop: { images: 0, items: 0 } },
    pairs: { positives: 0, queryItems: 0, galleryItems: 0, pairIds: 0 },
    styles: { zero: 0, positive: 0 },
    itemsPerImage: {},
    attributes: emptyAttributeCounts(),
    categories: CATEGORIES.map((c) => ({
      id: c.id,
      name: c.cocoName,
      items: 0,
      userItems: 0,
      shopItems: 0,
      landmarks: 0,
      attributes: emptyAttributeCounts(),
    })),
  };
  private readonly pairs = new PairGroups();

  add(record: ImageRecord): void {
    const s = this.stats;
    s.table1.images++;
    s.source[record.source].images++;
    s.source[record.source].items += record.items.length;
    const perImage = String(record.items.length);
    s.itemsPerImage[perImage] = (s.itemsPerImage[perImage] ?? 0) + 1;
    for (const item of record.items) {
      const category = s.categories[item.categoryId - 1]!;
      s.table1.boxes++;
      category.items++;
      if (record.source === 'user') category.userItems++;
      else category.shopItems++;
      if (item.segmentation.some((polygon) => polygon.length > 0)) s.table1.masks++;
      if (item.style > 0) s.styles.positive++;
      else s.styles.zero++;
      for (let i = 2; i < item.landmarks.length; i += 3) {
        const v = item.landmarks[i];
        if (v === 2) s.landmarks.visible++;
        else if (v === 1) s.landmarks.occluded++;
        else s.landmarks.unlabelled++;
        if (v === 1 || v === 2) category.landmarks++;
      }
      for (const attribute of ATTRIBUTE_NAMES) {
        const name = ATTRIBUTES[attribute][attributeValue(item, attribute) - 1];
        if (name === undefined) continue;
        s.attributes[attribute][name]!++;
        category.attributes[attribute][name]!++;
      }
    }
    for (const item of record.items) if (item.style > 0) this.pairs.add(record.pairId, item.style, record.source === 'shop');
  }

  result(): SplitStats {
    const s = structuredClone(this.stats);
    s.table1.landmarks = s.landmarks.visible + s.landmarks.occluded;
    s.pairs = this.pairs.count();
    s.table1.pairs = s.pairs.positives;
    // Numeric keys in ascending order for display.
    s.itemsPerImage = Object.fromEntries(Object.entries(s.itemsPerImage).sort(([a], [b]) => Number(a) - Number(b)));
    return s;
  }
}

/** Statistics of a stream of records. */
export async function collectSplitStats(records: AsyncIterable<ImageRecord>): Promise<SplitStats> {
  const collector = new SplitStatsCollector();
  for await (const record of records) collector.add(record);
  return collector.result();
}

/** What can be said of a split of images only (the test split): how many images, and their size ranges. */
interface ImageOnlyStats {
  imagesOnly: true;
  images: number;
  width: { min: number; max: number; mean: number };
  height: { min: number; max: number; mean: number };
}

export async function collectImageOnlyStats(images: AsyncIterable<{ width: number; height: number }>): Promise<ImageOnlyStats> {
  const stats: ImageOnlyStats = { imagesOnly: true, images: 0, width: { min: 0, max: 0, mean: 0 }, height: { min: 0, max: 0, mean: 0 } };
  let widthSum = 0;
  let heightSum = 0;
  for await (const { width, height } of images) {
    if (stats.images === 0) {
      stats.width = { min: width, max: width, mean: 0 };
      stats.height = { min: height, max: height, mean: 0 };
    }
    stats.images++;
    widthSum += width;
    heightSum += height;
    stats.width.min = Math.min(stats.width.min, width);
    stats.width.max = Math.max(stats.width.max, width);
    stats.height.min = Math.min(stats.height.min, height);
    stats.height.max = Math.max(stats.height.max, height);
  }
  if (stats.images > 0) {
    stats.width.mean = widthSum / stats.images;
    stats.height.mean = heightSum / stats.images;
  }
  return stats;
}
