/**
 * Uploads kept in PostgreSQL, so that a worker on another machine needs only
 * the database URL: each file is a row of `uploads` and its bytes are rows
 * of `upload_chunks` (1 MiB of bytea each), written in one transaction and
 * read back a few chunks at a time. Memory stays at a few MiB whatever the
 * file's size (a validation-sized keypoint file is ~0.6 GB; the limit 2 GB).
 *
 * Why chunks of bytea rather than large objects: they are ordinary rows, so
 * a transaction, a foreign key with ON DELETE CASCADE, pg_dump, replication
 * and row-level permissions treat them like everything else; large objects
 * need their own privileges, lo_unlink (or vacuumlo) to avoid orphans, and
 * the lo_* server functions; no single value nears bytea's 1 GB limit.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PgPool } from '../store/postgres.js';
import { migratePg, withTransaction } from '../store/postgres.js';
import type { UploadStore } from './types.js';
import { makeCopyDir, removeOrphanCopies } from './upload-copies.js';

const CHUNK_BYTES = 1024 * 1024;
/** Chunks fetched per query when reading (memory: this many MiB). */
const CHUNKS_PER_READ = 4;

const SCHEMA = [
  `CREATE TABLE uploads (
     key UUID PRIMARY KEY,
     bytes BIGINT NOT NULL,
     created_at TIMESTAMPTZ NOT NULL DEFAULT now()
   );
   CREATE TABLE upload_chunks (
     upload_key UUID NOT NULL REFERENCES uploads(key) ON DELETE CASCADE,
     seq INTEGER NOT NULL,
     data BYTEA NOT NULL,
     PRIMARY KEY (upload_key, seq)
   );`,
];

export class PgUploads implements UploadStore {
  private constructor(
    private readonly pool: PgPool,
    private readonly tempRoot: string,
  ) {}

  /** `tempRoot`: where workers write the local copies they evaluate (default: the system's temp directory). */
  static async open(pool: PgPool, tempRoot = tmpdir()): Promise<PgUploads> {
    await migratePg(pool, 'uploads', SCHEMA);
    // Copies left by a worker killed mid-evaluation on this machine.
    await removeOrphanCopies(tempRoot);
    return new PgUploads(pool, tempRoot);
  }

  /** Streams the received file into the database (one transaction: all of it or nothing), then deletes the file. */
  async put(receivedFile: string): Promise<string> {
    const key = randomUUID();
    await withTransaction(this.pool, async (client) => {
      await client.query('INSERT INTO uploads (key, bytes) VALUES ($1, 0)', [key]);
      let seq = 0;
      let bytes = 0;
      for await (const chunk of createReadStream(receivedFile, { highWaterMark: CHUNK_BYTES })) {
        const data = chunk as Buffer;
        await client.query('INSERT INTO upload_chunks (upload_key, seq, data) VALUES ($1, $2, $3)', [key, seq++, data]);
        bytes += data.length;
      }
      await client.query('UPDATE uploads SET bytes = $2 WHERE key = $1', [key, bytes]);
    });
    await rm(receivedFile, { force: true });
    return key;
  }

  /** The upload's bytes in order, a few chunks per query. */
  read(key: string): Readable {
    const pool = this.pool;
    async function* chunks(): AsyncGenerator<Buffer> {
      for (let next = 0; ;) {
        const { rows } = await pool.query<{ seq: number; data: Buffer }>(
          'SELECT seq, data FROM upload_chunks WHERE upload_key = $1 AND seq >= $2 ORDER BY seq LIMIT $3',
          [key, next, CHUNKS_PER_READ],
        );
        for (const row of rows) yield row.data;
        if (rows.length < CHUNKS_PER_READ) return;
        next = rows[rows.length - 1]!.seq + 1;
      }
    }
    return Readable.from(chunks());
  }

  async open(key: string): Promise<{ path: string; release(): Promise<void> }> {
    const exists = await this.pool.query('SELECT 1 FROM uploads WHERE key = $1', [key]);
    if (exists.rowCount !== 1) throw new Error(`upload ${key} is not in the database`);
    const dir = await makeCopyDir(this.tempRoot);
    const path = join(dir, 'results.json');
    const release = (): Promise<void> => rm(dir, { recursive: true, force: true });
    try {
      await pipeline(this.read(key), createWriteStream(path));
    } catch (err) {
      await release();
      throw err;
    }
    return { path, release };
  }

  async remove(key: string): Promise<void> {
    await this.pool.query('DELETE FROM uploads WHERE key = $1', [key]);
  }
}
