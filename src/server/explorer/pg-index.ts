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
import { toSplit, type SplitRow } from './rows.js';
import { SOURCES, itemBytes, toBatch, type ImageBatch } from './image-batch.js';
import { boolArray, byteaArray, float8Array, int4Array, int8Array, textArray } from './pg-arrays.js';
import { WritePipeline } from './pg-write-pipeline.js';

const SPLIT_COLUMNS = 'id, name, dir, images, items, bad_files, indexed_at';
import { FileStatesBuilder, SplitModels } from './model-cache.js';
import type { ImageTuple, SplitModel } from './split-model.js';
import type { BadFile, DatasetIndex, FacetCounts, FileStates, ImageRow, IndexedImage, SplitInfo, SplitStats } from './types.js';
import { ignoreRejection } from '../../util/ignore-rejection.js';

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
  /*
   * Step 2: an image's items are packed into its row (image-batch.ts), one
   * row written per image instead of one per item. The index is rebuilt from
   * the files: the next indexing run reads every file again.
   */
  `DROP TABLE explorer_items;
   DELETE FROM explorer_images; DELETE FROM explorer_bad_files;
   UPDATE explorer_splits SET images = 0, items = 0, bad_files = 0, indexed_at = NULL, generation = generation + 1;
   ALTER TABLE explorer_images ADD COLUMN items BYTEA NOT NULL DEFAULT '\\x';`,
  // Step 3: pairs come from the model too; the pair index only cost every written row a B-tree update.
  `DROP INDEX explorer_images_pair;`,
];

const INSERT_IMAGES = `INSERT INTO explorer_images (split_id, image_id, source, pair_id, width, height, has_image, n_items, mtime_ms, size, items)
  SELECT $1, * FROM unnest($2::int[], $3::text[], $4::int[], $5::int[], $6::int[], $7::bool[], $8::int[], $9::float8[], $10::int8[], $11::bytea[])
  ON CONFLICT (split_id, image_id) DO UPDATE SET source = excluded.source, pair_id = excluded.pair_id, width = excluded.width,
    height = excluded.height, has_image = excluded.has_image, n_items = excluded.n_items, mtime_ms = excluded.mtime_ms,
    size = excluded.size, items = excluded.items`;

/** INSERT_IMAGES' parameters $2.. for a batch: one binary array per column (pg-arrays.ts). */
function imageRowParams(batch: ImageBatch): Buffer[] {
  const n = batch.count;
  const itemCounts = new Int32Array(n);
  for (let k = 0; k < n; k++) itemCounts[k] = batch.itemStart[k + 1]! - batch.itemStart[k]!;
  return [
    int4Array(batch.imageId),
    textArray(Array.from(batch.source, (s) => SOURCES[s]!)),
    int4Array(batch.pairId),
    int4Array(batch.width),
    int4Array(batch.height),
    boolArray(batch.hasImage),
    int4Array(itemCounts),
    float8Array(batch.mtimeMs),
    int8Array(batch.size),
    byteaArray(Array.from({ length: n }, (_, k) => itemBytes(batch, k))),
  ];
}

/** Rows per query when a whole split is read (fileStates, loading the model). */
const CHUNK = 2000;
/** How long a split looked up by name is reused (ms). */
const SPLIT_CACHE_MS = 1000;
/** How often a split's generation is compared with the database's (ms). */
const GENERATION_CHECK_MS = 1000;

interface PgIndexOptions {
  /** How often a split's generation is compared with the database's (ms; default 1000, tests use 0: every request). */
  generationCheckMs?: number;
}

export class PgDatasetIndex implements DatasetIndex {
  private readonly models: SplitModels;
  /** The database generation each loaded model reflects. */
  private readonly generations = new Map<number, number>();
  private readonly lastCheck = new Map<number, number>();
  private readonly splitCache = new Map<string, { at: number; info: SplitInfo }>();
  private readonly splitLookups = new Map<string, Promise<SplitInfo | undefined>>();
  private readonly writes: WritePipeline;

  private constructor(
    private readonly pool: PgPool,
    private readonly generationCheckMs: number,
  ) {
    this.writes = new WritePipeline(pool);
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
  static async open(pool: PgPool, options: PgIndexOptions = {}): Promise<PgDatasetIndex> {
    await migratePg(pool, 'explorer', SCHEMA);
    return new PgDatasetIndex(pool, options.generationCheckMs ?? GENERATION_CHECK_MS);
  }

  async registerSplit(name: string, dir: string): Promise<SplitInfo> {
    const { rows } = await this.pool.query<SplitRow>(
      `INSERT INTO explorer_splits (name, dir) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET dir = excluded.dir RETURNING ${SPLIT_COLUMNS}`,
      [name, dir],
    );
    this.forgetSplits();
    return toSplit(rows[0]!);
  }

  /** After this process changed a split: the next lookup asks the database (an answer in flight is not cached). */
  private forgetSplits(): void {
    this.splitCache.clear();
    this.splitLookups.clear();
  }

  async splits(): Promise<SplitInfo[]> {
    return (await this.pool.query<SplitRow>(`SELECT ${SPLIT_COLUMNS} FROM explorer_splits ORDER BY id`)).rows.map(toSplit);
  }

  async split(name: string): Promise<SplitInfo | undefined> {
    // Every request names its split: a second's cache spares each a round trip (another process's
    // change of a split's directory or counts shows within that second; this process's at once).
    // Requests that find it expired together share one query (each its own would also hold a pooled connection).
    const cached = this.splitCache.get(name);
    if (cached && Date.now() - cached.at < SPLIT_CACHE_MS) return cached.info;
    const inFlight = this.splitLookups.get(name);
    if (inFlight) return inFlight;
    const lookup = this.pool
      .query<SplitRow>(`SELECT ${SPLIT_COLUMNS} FROM explorer_splits WHERE name = $1`, [name])
      .then(({ rows }) => {
        const info = rows[0] && toSplit(rows[0]);
        if (info && this.splitLookups.get(name) === lookup) this.splitCache.set(name, { at: Date.now(), info });
        return info;
      })
      .finally(() => {
        if (this.splitLookups.get(name) === lookup) this.splitLookups.delete(name);
      });
    this.splitLookups.set(name, lookup);
    return lookup;
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
    await this.writeBatch(splitId, toBatch(images), removed);
  }

  async writeBatch(splitId: number, batch: ImageBatch, removed: ArrayLike<number>): Promise<void> {
    // The split's model is kept current by the writes from now on (a first run builds it as it goes).
    void ignoreRejection(this.model(splitId), 'a model that fails to build is built again when a query needs it');
    // Encoded now, while the write before this one is still in the database.
    const rows = batch.count > 0 ? imageRowParams(batch) : undefined;
    const removedIds = removed.length > 0 ? int4Array(removed) : undefined;
    await this.writes.run(
      async (client) => {
        // The index is derived from the split's files (rebuilt from them if lost): its commits need not
        // wait for the disk. A crash can lose the last few, never corrupt them, and every synchronous
        // commit after (a submission, a user) flushes the log up to and including these.
        await client.query('SET LOCAL synchronous_commit TO OFF');
        if (removedIds) await client.query('DELETE FROM explorer_images WHERE split_id = $1 AND image_id = ANY($2::int[])', [splitId, removedIds]);
        // One statement for the batch: an image indexed before is updated in place.
        if (rows) await client.query(INSERT_IMAGES, [splitId, ...rows]);
      },
      (client, commit) =>
        // The generation moves, the commit and the model's update happen in turn with the model's chunk loads.
        this.models.exclusive(splitId, async () => {
          const { rows: bumped } = await client.query<{ generation: string }>(
            'UPDATE explorer_splits SET generation = generation + 1 WHERE id = $1 RETURNING generation',
            [splitId],
          );
          await commit();
          const generation = Number(bumped[0]?.generation ?? 0);
          this.models.apply(splitId, batch, removed);
          // Another process wrote in between when the generation moved by more than this write.
          const known = this.generations.get(splitId);
          if (known !== undefined) this.generations.set(splitId, known + 1 === generation ? generation : -1);
        }),
    );
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
    this.forgetSplits();
  }

  async queryImages(splitId: number, filters: ImageFilters, offset: number, limit: number): Promise<{ total: number; images: ImageRow[] }> {
    return (await this.model(splitId)).query(filters, offset, limit);
  }

  async facetCounts(splitId: number, filters: ImageFilters): Promise<FacetCounts> {
    await this.model(splitId);
    return this.models.facets(splitId, filters);
  }

  async image(splitId: number, imageId: number): Promise<ImageRow | undefined> {
    return (await this.model(splitId)).image(imageId);
  }

  async imagesOfPair(splitId: number, pairId: number): Promise<ImageRow[]> {
    return (await this.model(splitId)).imagesOfPair(pairId, 200);
  }

  async stats(splitId: number): Promise<SplitStats> {
    return (await this.model(splitId)).stats();
  }

  /** The split's model; loaded again when another process has written to the split since. */
  private async model(splitId: number): Promise<SplitModel> {
    const now = Date.now();
    if (this.generations.has(splitId) && now - (this.lastCheck.get(splitId) ?? 0) >= this.generationCheckMs) {
      this.lastCheck.set(splitId, now);
      // A write of this process records its generation in the same tick as its COMMIT resolves,
      // so no check sees the one without the other (pg-index.test.ts races them).
      if ((await this.generation(splitId)) !== this.generations.get(splitId)) {
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

  /** A chunk of the split for its model: images after `afterId` with their packed items. */
  private async loadImages(splitId: number, afterId: number, limit: number): Promise<ImageTuple[]> {
    return (
      await this.pool.query<ImageTuple>({
        text: `SELECT image_id, source, pair_id, width, height, has_image, items FROM explorer_images
               WHERE split_id = $1 AND image_id > $2 ORDER BY image_id LIMIT $3`,
        values: [splitId, afterId, limit],
        rowMode: 'array',
      })
    ).rows;
  }
}
