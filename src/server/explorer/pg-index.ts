/**
 * The explorer's DatasetIndex on PostgreSQL, for `df2 serve --db postgres://`.
 * Same rows as the SQLite index (splits, images, items, bad files; tables
 * prefixed `explorer_`), written in one transaction per batch with array
 * parameters (one INSERT ... SELECT FROM unnest(...) per table, not one
 * statement per row). Pages, facet counts and statistics come from the
 * split's in-memory model (model-cache.ts), loaded from these tables.
 *
 * Several df2 serve processes may share the database: every write bumps the
 * split's `generation`, and a process whose model is older than the
 * database's (another process indexed) loads it again; the check costs one
 * small query per split at most once a second.
 */
import type { PgPool } from '../store/postgres.js';
import { migratePg, withTransaction } from '../store/postgres.js';
import type { ImageFilters } from './filters.js';
import { IMAGE_COLUMNS, toImage, toSplit, type ImageDbRow, type SplitRow } from './rows.js';

const SPLIT_COLUMNS = 'id, name, dir, images, items, bad_files, indexed_at';
import { FileStatesBuilder, SplitModels } from './model-cache.js';
import type { ImageTuple, ItemTuple, SplitModel } from './split-model.js';
import type { BadFile, DatasetIndex, FacetCounts, FileStates, ImageRow, IndexedImage, SplitInfo, SplitStats } from './types.js';

const SCHEMA = [
  `CREATE TABLE explorer_splits (
     id SERIAL PRIMARY KEY,
     name TEXT NOT NULL UNIQUE,
     dir TEXT NOT NULL,
     images INTEGER NOT NULL DEFAULT 0,
     items INTEGER NOT NULL DEFAULT 0,
     bad_files INTEGER NOT NULL DEFAULT 0,
     indexed_at TEXT,
     generation BIGINT NOT NULL DEFAULT 0
   );
   CREATE TABLE explorer_images (
     split_id INTEGER NOT NULL REFERENCES explorer_splits (id) ON DELETE CASCADE,
     image_id INTEGER NOT NULL,
     source TEXT NOT NULL,
     pair_id INTEGER NOT NULL,
     width INTEGER NOT NULL,
     height INTEGER NOT NULL,
     has_image BOOLEAN NOT NULL,
     n_items INTEGER NOT NULL,
     mtime_ms DOUBLE PRECISION NOT NULL,
     size BIGINT NOT NULL,
     PRIMARY KEY (split_id, image_id)
   );
   CREATE INDEX explorer_images_pair ON explorer_images (split_id, pair_id, image_id);
   CREATE TABLE explorer_items (
     split_id INTEGER NOT NULL,
     image_id INTEGER NOT NULL,
     item_index INTEGER NOT NULL,
     category_id SMALLINT NOT NULL,
     style INTEGER NOT NULL,
     scale SMALLINT NOT NULL,
     occlusion SMALLINT NOT NULL,
     zoom_in SMALLINT NOT NULL,
     viewpoint SMALLINT NOT NULL,
     visible SMALLINT NOT NULL,
     occluded SMALLINT NOT NULL,
     PRIMARY KEY (split_id, image_id, item_index)
   );
   CREATE TABLE explorer_bad_files (
     split_id INTEGER NOT NULL,
     file TEXT NOT NULL,
     message TEXT NOT NULL
   );
   CREATE INDEX explorer_bad_files_split ON explorer_bad_files (split_id);`,
];

/** Rows per query when a whole split is read (fileStates, loading the model). */
const CHUNK = 10_000;
/** How often a split's generation is compared with the database's (ms). */
const GENERATION_CHECK_MS = 1000;

export class PgDatasetIndex implements DatasetIndex {
  private readonly models: SplitModels;
  /** The database generation each loaded model reflects. */
  private readonly generations = new Map<number, number>();
  private readonly lastCheck = new Map<number, number>();

  private constructor(private readonly pool: PgPool) {
    this.models = new SplitModels((splitId, afterId, limit) => this.loadImages(splitId, afterId, limit), CHUNK);
  }

  /**
   * Migrates the explorer's tables (once, under the migration lock) and returns the index.
   *
   * @example
   * const pool = new pg.Pool({ connectionString: 'postgres://df2@db.example/df2' });
   * const index = await PgDatasetIndex.open(pool);
   * const split = await index.registerSplit('validation', '/data/validation');
   */
  static async open(pool: PgPool): Promise<PgDatasetIndex> {
    await migratePg(pool, 'explorer', SCHEMA);
    return new PgDatasetIndex(pool);
  }

  async registerSplit(name: string, dir: string): Promise<SplitInfo> {
    const { rows } = await this.pool.query<SplitRow>(
      `INSERT INTO explorer_splits (name, dir) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET dir = excluded.dir RETURNING ${SPLIT_COLUMNS}`,
      [name, dir],
    );
    return toSplit(rows[0]!);
  }

  async splits(): Promise<SplitInfo[]> {
    return (await this.pool.query<SplitRow>(`SELECT ${SPLIT_COLUMNS} FROM explorer_splits ORDER BY id`)).rows.map(toSplit);
  }

  async split(name: string): Promise<SplitInfo | undefined> {
    const { rows } = await this.pool.query<SplitRow>(`SELECT ${SPLIT_COLUMNS} FROM explorer_splits WHERE name = $1`, [name]);
    return rows[0] && toSplit(rows[0]);
  }

  async fileStates(splitId: number): Promise<FileStates> {
    const states = new FileStatesBuilder();
    for (let after = -1; ;) {
      const { rows } = await this.pool.query<[number, number, string]>({
        text: 'SELECT image_id, mtime_ms, size FROM explorer_images WHERE split_id = $1 AND image_id > $2 ORDER BY image_id LIMIT $3',
        values: [splitId, after, CHUNK],
        rowMode: 'array',
      });
      for (const [id, mtimeMs, size] of rows) states.add(id, mtimeMs, Number(size));
      if (rows.length < CHUNK) return states.result();
      after = rows[rows.length - 1]![0];
    }
  }

  async writeImages(splitId: number, images: IndexedImage[], removed: number[]): Promise<void> {
    const ids = [...removed, ...images.map((img) => img.imageId)];
    const items = images.flatMap((img) => img.items.map((it, k) => ({ img, it, k })));
    await this.models.exclusive(splitId, async () => {
      const generation = await withTransaction(this.pool, async (client) => {
        if (ids.length > 0) {
          await client.query('DELETE FROM explorer_items WHERE split_id = $1 AND image_id = ANY($2::int[])', [splitId, ids]);
          await client.query('DELETE FROM explorer_images WHERE split_id = $1 AND image_id = ANY($2::int[])', [splitId, ids]);
        }
        if (images.length > 0) {
          await client.query(
            `INSERT INTO explorer_images (split_id, image_id, source, pair_id, width, height, has_image, n_items, mtime_ms, size)
             SELECT $1, * FROM unnest($2::int[], $3::text[], $4::int[], $5::int[], $6::int[], $7::bool[], $8::int[], $9::float8[], $10::int8[])`,
            [
              splitId,
              images.map((i) => i.imageId),
              images.map((i) => i.source),
              images.map((i) => i.pairId),
              images.map((i) => i.width),
              images.map((i) => i.height),
              images.map((i) => i.hasImage),
              images.map((i) => i.items.length),
              images.map((i) => i.mtimeMs),
              images.map((i) => i.size),
            ],
          );
        }
        if (items.length > 0) {
          await client.query(
            `INSERT INTO explorer_items (split_id, image_id, item_index, category_id, style, scale, occlusion, zoom_in, viewpoint, visible, occluded)
             SELECT $1, * FROM unnest($2::int[], $3::int[], $4::int2[], $5::int[], $6::int2[], $7::int2[], $8::int2[], $9::int2[], $10::int2[], $11::int2[])`,
            [
              splitId,
              items.map((x) => x.img.imageId),
              items.map((x) => x.k),
              items.map((x) => x.it.categoryId),
              items.map((x) => x.it.style),
              items.map((x) => x.it.scale),
              items.map((x) => x.it.occlusion),
              items.map((x) => x.it.zoomIn),
              items.map((x) => x.it.viewpoint),
              items.map((x) => x.it.visible),
              items.map((x) => x.it.occluded),
            ],
          );
        }
        const { rows } = await client.query<{ generation: string }>(
          'UPDATE explorer_splits SET generation = generation + 1 WHERE id = $1 RETURNING generation',
          [splitId],
        );
        return Number(rows[0]?.generation ?? 0);
      });
      this.models.apply(splitId, images, removed);
      // Another process wrote in between when the generation moved by more than this write.
      const known = this.generations.get(splitId);
      if (known !== undefined) this.generations.set(splitId, known + 1 === generation ? generation : -1);
    });
  }

  async setBadFiles(splitId: number, bad: BadFile[]): Promise<void> {
    await withTransaction(this.pool, async (client) => {
      await client.query('DELETE FROM explorer_bad_files WHERE split_id = $1', [splitId]);
      if (bad.length > 0) {
        await client.query('INSERT INTO explorer_bad_files (split_id, file, message) SELECT $1, * FROM unnest($2::text[], $3::text[])', [
          splitId,
          bad.map((b) => b.file),
          bad.map((b) => b.message),
        ]);
      }
    });
  }

  async badFiles(splitId: number, limit: number): Promise<BadFile[]> {
    return (await this.pool.query<BadFile>('SELECT file, message FROM explorer_bad_files WHERE split_id = $1 ORDER BY file LIMIT $2', [splitId, limit])).rows;
  }

  async finishIndexing(splitId: number): Promise<void> {
    const model = await this.model(splitId);
    await this.pool.query(
      `UPDATE explorer_splits SET images = $2, items = $3,
         bad_files = (SELECT COUNT(*) FROM explorer_bad_files WHERE split_id = $1), indexed_at = $4
       WHERE id = $1`,
      [splitId, model.imageCount, model.itemCount, new Date().toISOString()],
    );
  }

  async queryImages(splitId: number, filters: ImageFilters, offset: number, limit: number): Promise<{ total: number; images: ImageRow[] }> {
    return (await this.model(splitId)).query(filters, offset, limit);
  }

  async facetCounts(splitId: number, filters: ImageFilters): Promise<FacetCounts> {
    await this.model(splitId);
    return this.models.facets(splitId, filters);
  }

  async image(splitId: number, imageId: number): Promise<ImageRow | undefined> {
    const { rows } = await this.pool.query<ImageDbRow>(`SELECT ${IMAGE_COLUMNS} FROM explorer_images WHERE split_id = $1 AND image_id = $2`, [
      splitId,
      imageId,
    ]);
    return rows[0] && toImage(rows[0]);
  }

  async imagesOfPair(splitId: number, pairId: number): Promise<ImageRow[]> {
    const { rows } = await this.pool.query<ImageDbRow>(
      `SELECT ${IMAGE_COLUMNS} FROM explorer_images WHERE split_id = $1 AND pair_id = $2 ORDER BY image_id LIMIT 200`,
      [splitId, pairId],
    );
    return rows.map(toImage);
  }

  async stats(splitId: number): Promise<SplitStats> {
    return (await this.model(splitId)).stats();
  }

  /** The split's model; loaded again when another process has written to the split since. */
  private async model(splitId: number): Promise<SplitModel> {
    const now = Date.now();
    if (this.generations.has(splitId) && now - (this.lastCheck.get(splitId) ?? 0) >= GENERATION_CHECK_MS) {
      this.lastCheck.set(splitId, now);
      const current = await this.generation(splitId);
      if (current !== this.generations.get(splitId)) {
        this.generations.delete(splitId);
        this.models.drop(splitId);
      }
    }
    if (!this.generations.has(splitId)) {
      // Read before loading: a write during the load leaves the model marked stale, never the other way round.
      this.generations.set(splitId, await this.generation(splitId));
      this.lastCheck.set(splitId, now);
    }
    return this.models.get(splitId);
  }

  private async generation(splitId: number): Promise<number> {
    const { rows } = await this.pool.query<{ generation: string }>('SELECT generation FROM explorer_splits WHERE id = $1', [splitId]);
    return Number(rows[0]?.generation ?? 0);
  }

  /** A chunk of the split for its model: images after `afterId` with their items. */
  private async loadImages(splitId: number, afterId: number, limit: number) {
    const images = (
      await this.pool.query<ImageTuple>({
        text: 'SELECT image_id, source, pair_id, width, height, has_image FROM explorer_images WHERE split_id = $1 AND image_id > $2 ORDER BY image_id LIMIT $3',
        values: [splitId, afterId, limit],
        rowMode: 'array',
      })
    ).rows;
    if (images.length === 0) return { images, items: [] };
    const items = (
      await this.pool.query<ItemTuple>({
        text: `SELECT image_id, category_id, style, scale, occlusion, zoom_in, viewpoint, visible, occluded FROM explorer_items
             WHERE split_id = $1 AND image_id BETWEEN $2 AND $3 ORDER BY image_id, item_index`,
        values: [splitId, images[0]![0], images[images.length - 1]![0]],
        rowMode: 'array',
      })
    ).rows;
    return { images, items };
  }
}
