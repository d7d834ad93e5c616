/** The explorer's DatasetIndex on the embedded SQLite database. */
import type { Db } from '../store/sqlite.js';
import { migrate } from '../store/sqlite.js';
import type { ImageFilters } from './filters.js';
import { IMAGE_COLUMNS, toImage, toSplit, type ImageDbRow, type SplitRow } from './rows.js';
import { FileStatesBuilder, SplitModels } from './model-cache.js';
import type { ImageTuple, ItemTuple } from './split-model.js';
import type { BadFile, DatasetIndex, FacetCounts, FileStates, ImageRow, IndexedImage, SplitInfo, SplitStats } from './types.js';

/*
 * Step 1 made items repeat their image's source, pair_id and n_items and gave
 * every filter column an index, for answering filters in SQL. Pages, counts
 * and statistics now come from the in-memory model, so step 2 drops those
 * indexes: each cost every inserted item a B-tree update.
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
  `DROP INDEX images_source; DROP INDEX images_items;
   DROP INDEX items_category; DROP INDEX items_scale; DROP INDEX items_occlusion;
   DROP INDEX items_zoom_in; DROP INDEX items_viewpoint; DROP INDEX items_style;`,
];

/** Rows read per statement when a whole split is read (fileStates, loading the model): each a few ms. */
const CHUNK = 4000;
const yieldToRequests = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class SqliteDatasetIndex implements DatasetIndex {
  private readonly models: SplitModels;

  constructor(private readonly db: Db) {
    migrate(db, 'explorer', SCHEMA);
    this.models = new SplitModels(async (splitId, afterId, limit) => this.loadImages(splitId, afterId, limit), CHUNK);
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

  async fileStates(splitId: number): Promise<FileStates> {
    const states = new FileStatesBuilder();
    const page = this.db.prepare('SELECT image_id, mtime_ms, size FROM images WHERE split_id = ? AND image_id > ? ORDER BY image_id LIMIT ?').raw();
    for (let after = -1; ;) {
      const rows = page.all(splitId, after, CHUNK) as [number, number, number][];
      for (const [id, mtimeMs, size] of rows) states.add(id, mtimeMs, size);
      if (rows.length < CHUNK) return states.result();
      after = rows[rows.length - 1]![0];
      await yieldToRequests();
    }
  }

  async writeImages(splitId: number, images: IndexedImage[], removed: number[]): Promise<void> {
    const deleteImage = this.db.prepare('DELETE FROM images WHERE split_id = ? AND image_id = ?');
    const deleteItems = this.db.prepare('DELETE FROM items WHERE split_id = ? AND image_id = ?');
    const insertImage = this.db.prepare(
      `INSERT OR REPLACE INTO images (split_id, image_id, source, pair_id, width, height, has_image, n_items, mtime_ms, size)
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
        const n = img.items.length;
        insertImage.run(splitId, img.imageId, img.source, img.pairId, img.width, img.height, img.hasImage ? 1 : 0, n, img.mtimeMs, img.size);
        img.items.forEach((it, k) =>
          insertItem.run(
            splitId,
            img.imageId,
            k,
            img.source,
            img.pairId,
            n,
            it.categoryId,
            it.style,
            it.scale,
            it.occlusion,
            it.zoomIn,
            it.viewpoint,
            it.visible,
            it.occluded,
          ),
        );
      }
    });
    await this.models.exclusive(splitId, () => {
      write();
      this.models.apply(splitId, images, removed);
    });
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
    // The counts come from the model (counting 600k item rows would hold the event loop).
    const model = await this.models.get(splitId);
    this.db
      .prepare(
        `UPDATE splits SET images = @images, items = @items,
         bad_files = (SELECT COUNT(*) FROM bad_files WHERE split_id = @id), indexed_at = @at
       WHERE id = @id`,
      )
      .run({ id: splitId, images: model.imageCount, items: model.itemCount, at: new Date().toISOString() });
  }

  async queryImages(splitId: number, filters: ImageFilters, offset: number, limit: number): Promise<{ total: number; images: ImageRow[] }> {
    return (await this.models.get(splitId)).query(filters, offset, limit);
  }

  async facetCounts(splitId: number, filters: ImageFilters): Promise<FacetCounts> {
    return this.models.facets(splitId, filters);
  }

  async image(splitId: number, imageId: number): Promise<ImageRow | undefined> {
    const row = this.db.prepare(`SELECT ${IMAGE_COLUMNS} FROM images WHERE split_id = ? AND image_id = ?`).get(splitId, imageId) as ImageDbRow | undefined;
    return row && toImage(row);
  }

  async imagesOfPair(splitId: number, pairId: number): Promise<ImageRow[]> {
    return (
      this.db.prepare(`SELECT ${IMAGE_COLUMNS} FROM images WHERE split_id = ? AND pair_id = ? ORDER BY image_id LIMIT 200`).all(splitId, pairId) as ImageDbRow[]
    ).map(toImage);
  }

  async stats(splitId: number): Promise<SplitStats> {
    return (await this.models.get(splitId)).stats();
  }

  /** A chunk of the split for its model: images after `afterId` with their items. */
  private loadImages(splitId: number, afterId: number, limit: number): { images: ImageTuple[]; items: ItemTuple[] } {
    const images = this.db
      .prepare('SELECT image_id, source, pair_id, width, height, has_image FROM images WHERE split_id = ? AND image_id > ? ORDER BY image_id LIMIT ?')
      .raw()
      .all(splitId, afterId, limit) as ImageTuple[];
    if (images.length === 0) return { images, items: [] };
    const items = this.db
      .prepare(
        `SELECT image_id, category_id, style, scale, occlusion, zoom_in, viewpoint, visible, occluded FROM items
       WHERE split_id = ? AND image_id BETWEEN ? AND ? ORDER BY image_id, item_index`,
      )
      .raw()
      .all(splitId, images[0]![0], images[images.length - 1]![0]) as ItemTuple[];
    return { images, items };
  }
}
