/** The explorer's DatasetIndex on the embedded SQLite database. */
import type { Db } from '../store/sqlite.js';
import { migrate } from '../store/sqlite.js';
import { ATTRIBUTE_NAMES } from '../../schema/categories.js';
import { filterSql, type ImageFilters } from './filters.js';
import { allocateColumns, scanFacets, type ItemColumns } from './facet-scan.js';
import type {
  BadFile, DatasetIndex, FacetCounts, ImageRow, IndexedImage, SplitInfo, SplitStats,
} from './types.js';

/*
 * Items repeat their image's source, pair_id and n_items so that every filter
 * and count is answered from the items table and its indexes, without a join.
 * Each item filter column has an index (split, column, image) so that a
 * filtered count reads only the matching index range, already grouped.
 */
const SCHEMA = [
  `CREATE TABLE splits (
     id INTEGER PRIMARY KEY,
     name TEXT NOT NULL UNIQUE,
     dir TEXT NOT NULL,
     images INTEGER NOT NULL DEFAULT 0,
     items INTEGER NOT NULL DEFAULT 0,
     bad_files INTEGER NOT NULL DEFAULT 0,
     indexed_at TEXT
   );
   CREATE TABLE images (
     split_id INTEGER NOT NULL,
     image_id INTEGER NOT NULL,
     source TEXT NOT NULL,
     pair_id INTEGER NOT NULL,
     width INTEGER NOT NULL,
     height INTEGER NOT NULL,
     has_image INTEGER NOT NULL,
     n_items INTEGER NOT NULL,
     mtime_ms REAL NOT NULL,
     size INTEGER NOT NULL,
     PRIMARY KEY (split_id, image_id)
   ) WITHOUT ROWID;
   CREATE INDEX images_pair ON images (split_id, pair_id, image_id);
   CREATE INDEX images_source ON images (split_id, source, image_id);
   CREATE INDEX images_items ON images (split_id, n_items, image_id);
   CREATE TABLE items (
     split_id INTEGER NOT NULL,
     image_id INTEGER NOT NULL,
     item_index INTEGER NOT NULL,
     source TEXT NOT NULL,
     pair_id INTEGER NOT NULL,
     n_items INTEGER NOT NULL,
     category_id INTEGER NOT NULL,
     style INTEGER NOT NULL,
     scale INTEGER NOT NULL,
     occlusion INTEGER NOT NULL,
     zoom_in INTEGER NOT NULL,
     viewpoint INTEGER NOT NULL,
     visible INTEGER NOT NULL,
     occluded INTEGER NOT NULL,
     PRIMARY KEY (split_id, image_id, item_index)
   ) WITHOUT ROWID;
   CREATE INDEX items_category ON items (split_id, category_id, image_id);
   CREATE INDEX items_scale ON items (split_id, scale, image_id);
   CREATE INDEX items_occlusion ON items (split_id, occlusion, image_id);
   CREATE INDEX items_zoom_in ON items (split_id, zoom_in, image_id);
   CREATE INDEX items_viewpoint ON items (split_id, viewpoint, image_id);
   CREATE INDEX items_style ON items (split_id, style, image_id);
   CREATE TABLE bad_files (
     split_id INTEGER NOT NULL,
     file TEXT NOT NULL,
     message TEXT NOT NULL
   );
   CREATE INDEX bad_files_split ON bad_files (split_id);`,
];

interface SplitRow { id: number; name: string; dir: string; images: number; items: number; bad_files: number; indexed_at: string | null }
interface ImageDbRow { image_id: number; source: 'user' | 'shop' | 'unknown'; pair_id: number; width: number; height: number; has_image: number; n_items: number }

const toSplit = (r: SplitRow): SplitInfo => ({
  id: r.id, name: r.name, dir: r.dir, images: r.images, items: r.items, badFiles: r.bad_files, indexedAt: r.indexed_at,
});
const toImage = (r: ImageDbRow): ImageRow => ({
  imageId: r.image_id, source: r.source, pairId: r.pair_id, width: r.width, height: r.height, hasImage: r.has_image === 1, itemCount: r.n_items,
});
const IMAGE_COLUMNS = 'image_id, source, pair_id, width, height, has_image, n_items';

/** Style as the two classes of the style filter. */
const STYLE_CLASS = "CASE WHEN style > 0 THEN 'positive' ELSE 'zero' END";

const FACET_CACHE_SIZE = 256;

export class SqliteDatasetIndex implements DatasetIndex {
  /** Facet counts by split and filters; cleared when a split's rows change. */
  private readonly facetCache = new Map<string, FacetCounts>();
  /** Each split's items as typed columns for facet counts; dropped when its rows change. */
  private readonly columns = new Map<number, ItemColumns>();
  private readonly statsCache = new Map<number, SplitStats>();

  constructor(private readonly db: Db) {
    migrate(db, 'explorer', SCHEMA);
  }

  async registerSplit(name: string, dir: string): Promise<SplitInfo> {
    this.db.prepare('INSERT INTO splits (name, dir) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET dir = excluded.dir').run(name, dir);
    return (await this.split(name))!;
  }

  async splits(): Promise<SplitInfo[]> {
    return (this.db.prepare('SELECT * FROM splits ORDER BY id').all() as SplitRow[]).map(toSplit);
  }

  async split(name: string): Promise<SplitInfo | undefined> {
    const row = this.db.prepare('SELECT * FROM splits WHERE name = ?').get(name) as SplitRow | undefined;
    return row && toSplit(row);
  }

  async fileStates(splitId: number): Promise<Map<number, { mtimeMs: number; size: number }>> {
    const states = new Map<number, { mtimeMs: number; size: number }>();
    const rows = this.db.prepare('SELECT image_id, mtime_ms, size FROM images WHERE split_id = ?').raw().iterate(splitId) as Iterable<[number, number, number]>;
    for (const [id, mtimeMs, size] of rows) states.set(id, { mtimeMs, size });
    return states;
  }

  async writeImages(splitId: number, images: IndexedImage[], removed: number[]): Promise<void> {
    const deleteImage = this.db.prepare('DELETE FROM images WHERE split_id = ? AND image_id = ?');
    const deleteItems = this.db.prepare('DELETE FROM items WHERE split_id = ? AND image_id = ?');
    const insertImage = this.db.prepare(
      `INSERT INTO images (split_id, image_id, source, pair_id, width, height, has_image, n_items, mtime_ms, size)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertItem = this.db.prepare(
      `INSERT INTO items (split_id, image_id, item_index, source, pair_id, n_items, category_id, style, scale, occlusion,
         zoom_in, viewpoint, visible, occluded) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const write = this.db.transaction(() => {
      for (const id of removed) {
        deleteItems.run(splitId, id);
        deleteImage.run(splitId, id);
      }
      for (const img of images) {
        deleteItems.run(splitId, img.imageId);
        deleteImage.run(splitId, img.imageId);
        const n = img.items.length;
        insertImage.run(splitId, img.imageId, img.source, img.pairId, img.width, img.height, img.hasImage ? 1 : 0, n, img.mtimeMs, img.size);
        img.items.forEach((it, k) => insertItem.run(
          splitId, img.imageId, k, img.source, img.pairId, n, it.categoryId, it.style, it.scale, it.occlusion,
          it.zoomIn, it.viewpoint, it.visible, it.occluded,
        ));
      }
    });
    write();
    this.forget(splitId);
  }

  async setBadFiles(splitId: number, bad: BadFile[]): Promise<void> {
    const insert = this.db.prepare('INSERT INTO bad_files (split_id, file, message) VALUES (?, ?, ?)');
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM bad_files WHERE split_id = ?').run(splitId);
      for (const b of bad) insert.run(splitId, b.file, b.message);
    })();
  }

  async badFiles(splitId: number, limit: number): Promise<BadFile[]> {
    return this.db.prepare('SELECT file, message FROM bad_files WHERE split_id = ? ORDER BY file LIMIT ?').all(splitId, limit) as BadFile[];
  }

  async finishIndexing(splitId: number): Promise<void> {
    this.db.prepare(
      `UPDATE splits SET
         images = (SELECT COUNT(*) FROM images WHERE split_id = @id),
         items = (SELECT COUNT(*) FROM items WHERE split_id = @id),
         bad_files = (SELECT COUNT(*) FROM bad_files WHERE split_id = @id),
         indexed_at = @at
       WHERE id = @id`,
    ).run({ id: splitId, at: new Date().toISOString() });
    this.forget(splitId);
  }

  async queryImages(splitId: number, filters: ImageFilters, offset: number, limit: number): Promise<{ total: number; images: ImageRow[] }> {
    const sql = filterSql(filters);
    const params = { ...sql.params, split: splitId, limit, offset };
    if (sql.item.length === 0) {
      // Image filters only: the images table alone.
      const where = ['m.split_id = @split', ...sql.image].join(' AND ');
      const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM images m WHERE ${where}`).get(params) as { n: number }).n;
      const rows = this.db.prepare(`SELECT ${IMAGE_COLUMNS} FROM images m WHERE ${where} ORDER BY m.image_id LIMIT @limit OFFSET @offset`)
        .all(params) as ImageDbRow[];
      return { total, images: rows.map(toImage) };
    }
    // Item filters: the matching images are the distinct image ids of matching items.
    const itemSql = filterSql(filters, undefined, 'i');
    const where = ['i.split_id = @split', ...itemSql.item, ...itemSql.image].join(' AND ');
    const total = (this.db.prepare(`SELECT COUNT(DISTINCT i.image_id) AS n FROM items i WHERE ${where}`).get(params) as { n: number }).n;
    const rows = this.db.prepare(
      `SELECT ${IMAGE_COLUMNS.split(', ').map((c) => `m.${c}`).join(', ')} FROM images m
       WHERE m.split_id = @split AND m.image_id IN
         (SELECT DISTINCT i.image_id FROM items i WHERE ${where} ORDER BY i.image_id LIMIT @limit OFFSET @offset)
       ORDER BY m.image_id`,
    ).all(params) as ImageDbRow[];
    return { total, images: rows.map(toImage) };
  }

  async facetCounts(splitId: number, filters: ImageFilters): Promise<FacetCounts> {
    const key = `${splitId}:${JSON.stringify(filters)}`;
    const cached = this.facetCache.get(key);
    if (cached) {
      // Refresh its place in the LRU order.
      this.facetCache.delete(key);
      this.facetCache.set(key, cached);
      return cached;
    }
    const counts = scanFacets(this.itemColumns(splitId), filters);
    this.facetCache.set(key, counts);
    if (this.facetCache.size > FACET_CACHE_SIZE) this.facetCache.delete(this.facetCache.keys().next().value!);
    return counts;
  }

  /** The split's item rows (and one row per image without items), in image order, as typed columns. */
  private itemColumns(splitId: number): ItemColumns {
    const cached = this.columns.get(splitId);
    if (cached) return cached;
    const { n } = this.db.prepare(
      'SELECT (SELECT COUNT(*) FROM items WHERE split_id = @s) + (SELECT COUNT(*) FROM images WHERE split_id = @s AND n_items = 0) AS n',
    ).get({ s: splitId }) as { n: number };
    const c = allocateColumns(n);
    // Items in key order carry their image's source, n_items and pair_id; images without items follow, one row each.
    const rows = this.db.prepare(
      `SELECT image_id, category_id, style, scale, occlusion, zoom_in, viewpoint, source, n_items, pair_id
       FROM items WHERE split_id = @s
       UNION ALL
       SELECT image_id, NULL, 0, 0, 0, 0, 0, source, 0, pair_id FROM images WHERE split_id = @s AND n_items = 0`,
    ).raw().iterate({ s: splitId }) as Iterable<[number, number | null, number, number, number, number, number, string, number, number]>;
    let r = 0;
    for (const [image, category, style, scale, occlusion, zoomIn, viewpoint, source, nItems, pairId] of rows) {
      if (r >= n) break;
      c.image[r] = image;
      c.hasItem[r] = category === null ? 0 : 1;
      c.category[r] = category ?? 0;
      c.positive[r] = style > 0 ? 1 : 0;
      c.scale[r] = scale;
      c.occlusion[r] = occlusion;
      c.zoomIn[r] = zoomIn;
      c.viewpoint[r] = viewpoint;
      c.shop[r] = source === 'shop' ? 1 : 0;
      c.nItems[r] = nItems;
      c.pairId[r] = pairId;
      r++;
    }
    c.count = r;
    this.columns.set(splitId, c);
    return c;
  }

  async image(splitId: number, imageId: number): Promise<ImageRow | undefined> {
    const row = this.db.prepare(`SELECT ${IMAGE_COLUMNS} FROM images WHERE split_id = ? AND image_id = ?`).get(splitId, imageId) as ImageDbRow | undefined;
    return row && toImage(row);
  }

  async imagesOfPair(splitId: number, pairId: number): Promise<ImageRow[]> {
    return (this.db.prepare(`SELECT ${IMAGE_COLUMNS} FROM images WHERE split_id = ? AND pair_id = ? ORDER BY image_id LIMIT 200`)
      .all(splitId, pairId) as ImageDbRow[]).map(toImage);
  }

  async stats(splitId: number): Promise<SplitStats> {
    const cached = this.statsCache.get(splitId);
    if (cached) return cached;
    const p = { split: splitId };
    const all = <T>(sql: string): T[] => this.db.prepare(sql).all(p) as T[];
    const stats: SplitStats = {
      images: { user: 0, shop: 0 }, items: { user: 0, shop: 0 }, categories: {}, attributes: {},
      style: { zero: 0, positive: 0 }, itemsPerImage: {}, pairIds: 0, positivePairs: 0, landmarks: { visible: 0, occluded: 0 },
    };
    for (const r of all<{ source: 'user' | 'shop' | 'unknown'; n: number }>('SELECT source, COUNT(*) AS n FROM images WHERE split_id = @split GROUP BY source')) {
      // Images of an images-only split have no source; they count in the split's image total only.
      if (r.source !== 'unknown') stats.images[r.source] = r.n;
    }
    for (const r of all<{ c: number; source: 'user' | 'shop'; n: number }>(
      'SELECT category_id AS c, source, COUNT(*) AS n FROM items WHERE split_id = @split GROUP BY c, source',
    )) {
      (stats.categories[r.c] ??= { user: 0, shop: 0 })[r.source] = r.n;
      stats.items[r.source] += r.n;
    }
    for (const attr of ATTRIBUTE_NAMES) {
      const counts: Record<string, number> = {};
      for (const r of all<{ v: number; n: number }>(`SELECT ${attr} AS v, COUNT(*) AS n FROM items WHERE split_id = @split GROUP BY v`)) counts[r.v] = r.n;
      stats.attributes[attr] = counts;
    }
    for (const r of all<{ v: 'zero' | 'positive'; n: number }>(`SELECT ${STYLE_CLASS} AS v, COUNT(*) AS n FROM items WHERE split_id = @split GROUP BY v`)) {
      stats.style[r.v] = r.n;
    }
    for (const r of all<{ v: number; n: number }>('SELECT n_items AS v, COUNT(*) AS n FROM images WHERE split_id = @split GROUP BY v')) {
      stats.itemsPerImage[r.v] = r.n;
    }
    stats.pairIds = (this.db.prepare('SELECT COUNT(DISTINCT pair_id) AS n FROM images WHERE split_id = @split').get(p) as { n: number }).n;
    stats.positivePairs = (this.db.prepare(
      `SELECT COALESCE(SUM(u * s), 0) AS n FROM (
         SELECT SUM(source = 'user') AS u, SUM(source = 'shop') AS s FROM items
         WHERE split_id = @split AND style > 0 GROUP BY pair_id, style)`,
    ).get(p) as { n: number }).n;
    const lm = this.db.prepare('SELECT COALESCE(SUM(visible), 0) AS v, COALESCE(SUM(occluded), 0) AS o FROM items WHERE split_id = @split').get(p) as { v: number; o: number };
    stats.landmarks = { visible: lm.v, occluded: lm.o };
    this.statsCache.set(splitId, stats);
    return stats;
  }

  private forget(splitId: number): void {
    this.columns.delete(splitId);
    this.statsCache.delete(splitId);
    for (const key of [...this.facetCache.keys()]) if (key.startsWith(`${splitId}:`)) this.facetCache.delete(key);
  }
}
