/** The explorer's DatasetIndex on the embedded SQLite database. */
import type { Db } from '../store/sqlite.js';
import { migrate } from '../store/sqlite.js';
import type { ImageFilters } from './filters.js';
import { toSplit, type SplitRow } from './rows.js';
import { FileStatesBuilder, SplitModels } from './model-cache.js';
import type { ImageTuple } from './split-model.js';
import { SOURCES, itemBytes, toBatch, type ImageBatch } from './image-batch.js';
import type { BadFile, DatasetIndex, FacetCounts, FileStates, ImageRow, IndexedImage, SplitInfo, SplitStats } from './types.js';

/*
 * Step 1 made items repeat their image's source, pair_id and n_items and gave
 * every filter column an index, for answering filters in SQL. Pages, counts
 * and statistics now come from the in-memory model, so step 2 drops those
 * indexes: each cost every inserted item a B-tree update.
 */
export const SQLITE_SCHEMA = [
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
  /*
   * Step 3: an image's items are packed into its row (image-batch.ts), one
   * row written per image instead of one per item (the write was most of
   * the main thread's indexing time). The index is rebuilt from the files:
   * the next indexing run reads every file again.
   */
  `DROP TABLE items;
   DELETE FROM images; DELETE FROM bad_files;
   UPDATE splits SET images = 0, items = 0, bad_files = 0, indexed_at = NULL;
   ALTER TABLE images ADD COLUMN items BLOB NOT NULL DEFAULT x'';`,
  // Step 4: pairs come from the model too; the pair index only cost every written row a B-tree update.
  `DROP INDEX images_pair;`,
];

/** Rows read per statement when a whole split is read (fileStates, loading the model): each a few ms. */
const CHUNK = 2000;
const yieldToRequests = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class SqliteDatasetIndex implements DatasetIndex {
  private readonly models: SplitModels;

  private readonly insertImage;
  private readonly deleteImage;
  /** Asked by every request. */
  private readonly splitByName;

  constructor(private readonly db: Db) {
    migrate(db, 'explorer', SQLITE_SCHEMA);
    this.insertImage = db.prepare(
      `INSERT OR REPLACE INTO images (split_id, image_id, source, pair_id, width, height, has_image, n_items, mtime_ms, size, items)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.deleteImage = db.prepare('DELETE FROM images WHERE split_id = ? AND image_id = ?');
    this.splitByName = db.prepare('SELECT * FROM splits WHERE name = ?');
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
    const row = this.splitByName.get(name) as SplitRow | undefined;
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
    await this.writeBatch(splitId, toBatch(images), removed);
  }

  async writeBatch(splitId: number, batch: ImageBatch, removed: ArrayLike<number>): Promise<void> {
    // The split's model is kept current by the writes from now on (a first run builds it as it goes).
    void this.models.get(splitId);
    const write = this.db.transaction(() => {
      for (let k = 0; k < removed.length; k++) this.deleteImage.run(splitId, removed[k]!);
      for (let k = 0; k < batch.count; k++) {
        const items = itemBytes(batch, k);
        this.insertImage.run(
          splitId,
          batch.imageId[k]!,
          SOURCES[batch.source[k]!]!,
          batch.pairId[k]!,
          batch.width[k]!,
          batch.height[k]!,
          batch.hasImage[k]!,
          batch.itemStart[k + 1]! - batch.itemStart[k]!,
          batch.mtimeMs[k]!,
          batch.size[k]!,
          Buffer.from(items.buffer, items.byteOffset, items.byteLength),
        );
      }
    });
    await this.models.exclusive(splitId, () => {
      writeWithoutSync(this.db, write);
      this.models.apply(splitId, batch, removed);
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
    return (await this.models.get(splitId)).image(imageId);
  }

  async imagesOfPair(splitId: number, pairId: number): Promise<ImageRow[]> {
    return (await this.models.get(splitId)).imagesOfPair(pairId, 200);
  }

  async stats(splitId: number): Promise<SplitStats> {
    return (await this.models.get(splitId)).stats();
  }

  /** A chunk of the split for its model: images after `afterId` with their packed items. */
  private loadImages(splitId: number, afterId: number, limit: number): ImageTuple[] {
    return this.db
      .prepare('SELECT image_id, source, pair_id, width, height, has_image, items FROM images WHERE split_id = ? AND image_id > ? ORDER BY image_id LIMIT ?')
      .raw()
      .all(splitId, afterId, limit) as ImageTuple[];
  }
}

/**
 * Runs an index write without waiting for the disk. The index is derived from
 * the split's files and rebuilt from them if lost, so its commits need not
 * survive a power cut; in WAL mode the next FULL commit (a submission, a user)
 * syncs the log up to and including these, so nothing the server accepted
 * loses its guarantee. `synchronous` is per connection and this runs
 * synchronously on the one JavaScript thread, so no other write sees NORMAL.
 */
function writeWithoutSync(db: Db, write: () => void): void {
  db.pragma('synchronous = NORMAL');
  try {
    write();
  } finally {
    db.pragma('synchronous = FULL');
  }
}
