/**
 * Starts df2 serve: opens the database, registers and indexes the splits,
 * recovers the submission queue, starts the evaluation worker and listens.
 */
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Server } from 'node:http';
import { createApp } from './app.js';
import type { AppContext } from './context.js';
import { openDatabase } from './store/sqlite.js';
import { SqliteDatasetIndex } from './explorer/sqlite-index.js';
import { Indexer, type IndexProgress } from './explorer/indexer.js';
import type { DatasetIndex } from './explorer/types.js';
import { SqliteStore } from './challenge/sqlite-store.js';
import { InProcessJobQueue } from './challenge/in-process-queue.js';
import { Evaluator } from './challenge/evaluator.js';
import { availableTasks } from './challenge/tasks.js';
import { registerSplitDir } from './splits.js';
import { InputError } from '../util/errors.js';

const HERE = dirname(fileURLToPath(import.meta.url));
/** dist/web (compiled browser modules) and src/web/public (HTML, CSS), from dist/server. */
export const WEB_DIR = resolve(HERE, '../web');
export const PUBLIC_DIR = resolve(HERE, '../../src/web/public');

import { DEFAULT_QUOTA } from './defaults.js';

export { DEFAULT_QUOTA };
export const DEFAULT_MAX_UPLOAD_BYTES = 2 * 1024 ** 3;

export interface ServeOptions {
  dataDirs?: string[];
  gtDir?: string;
  dbFile: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  quota?: number;
  maxUploadBytes?: number;
  /** Uploads and thumbnails; default: beside the database file. */
  cacheDir?: string;
  /** false: accept submissions but evaluate none (tests of restarts). */
  startWorker?: boolean;
  maxAttempts?: number;
  evalTimeoutMs?: number;
  childHeapMb?: number;
  onIndexProgress?: (split: string, progress: IndexProgress) => void;
  /** The explorer's index (default: SQLite in dbFile); e.g. a PgDatasetIndex for `--db postgres://`. */
  datasetIndex?: DatasetIndex;
}

export interface RunningServer {
  url: string;
  port: number;
  ctx: AppContext;
  /** Resolves when indexing and the submission queue are idle. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const dbFile = resolve(options.dbFile);
  const cacheDir = resolve(options.cacheDir ?? dirname(dbFile));
  const db = openDatabase(dbFile);
  const index = options.datasetIndex ?? new SqliteDatasetIndex(db);
  const store = new SqliteStore(db);
  const queue = new InProcessJobQueue();
  const indexer = new Indexer(index, options.onIndexProgress);
  const gtDir = options.gtDir ? resolve(options.gtDir) : undefined;
  const ctx: AppContext = {
    index, indexer, store, queue,
    settings: {
      gtDir,
      tasks: availableTasks(gtDir),
      uploadsDir: join(cacheDir, 'uploads'),
      thumbnailsDir: join(cacheDir, 'thumbnails'),
      quota: options.quota ?? DEFAULT_QUOTA,
      maxUploadBytes: options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES,
      webDir: WEB_DIR,
      publicDir: PUBLIC_DIR,
    },
  };

  // Splits from earlier runs are checked again (only changed files are read), then those given now.
  const given = new Set((options.dataDirs ?? []).map((d) => resolve(d)));
  for (const split of await index.splits()) if (!given.has(split.dir)) indexer.enqueue(split).catch(() => {});
  for (const dir of given) await registerSplitDir(ctx, dir);

  const maxAttempts = options.maxAttempts ?? 3;
  const evaluator = new Evaluator(store, queue, {
    gtDir, maxAttempts, timeoutMs: options.evalTimeoutMs ?? 6 * 3600_000, childHeapMb: options.childHeapMb ?? 8192,
  });
  for (const id of await store.recoverInterrupted(maxAttempts)) await queue.enqueue(id);
  if (options.startWorker !== false) queue.start(evaluator.work);

  const stopWork = async (): Promise<void> => {
    evaluator.stop();
    await queue.stop();
    await indexer.stop();
  };
  const host = options.host ?? '127.0.0.1';
  let server: Server;
  try {
    server = await listen(createApp(ctx), host, options.port ?? 0);
  } catch (err) {
    // Nothing may go on in the background of a server that could not start.
    await stopWork();
    db.close();
    throw err;
  }
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;

  return {
    url: `http://${urlHost}:${port}`,
    port,
    ctx,
    async idle() {
      await indexer.idle();
      await queue.idle();
    },
    async close() {
      await stopWork();
      await new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      });
      db.close();
    },
  };
}

/** Listens; a port in use or not allowed is the user's input, reported in one line. */
function listen(app: ReturnType<typeof createApp>, host: string, port: number): Promise<Server> {
  return new Promise<Server>((resolveServer, reject) => {
    const s = serve({ fetch: app.fetch, hostname: host, port }, () => resolveServer(s as Server));
    s.once('error', (err: NodeJS.ErrnoException) => {
      const why = err.code === 'EADDRINUSE' ? 'in use' : err.code === 'EACCES' ? 'not allowed' : err.code === 'EADDRNOTAVAIL' ? 'not an address of this machine' : undefined;
      reject(why ? new InputError(`${host}:${port}`, '', 'a free port and address to listen on (--host, --port)', why) : err);
    });
  });
}
