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
import { mkdir } from 'node:fs/promises';
import { lockDatabase, openDatabase } from './store/sqlite.js';
import { SqliteDatasetIndex } from './explorer/sqlite-index.js';
import { Indexer, type IndexProgress } from './explorer/indexer.js';
import type { DatasetIndex } from './explorer/types.js';
import { SqliteStore } from './challenge/sqlite-store.js';
import { InProcessJobQueue } from './challenge/in-process-queue.js';
import { Evaluator } from './challenge/evaluator.js';
import { loadChallenge, singlePhaseChallenge, type Challenge } from './challenge/config.js';
import { removePartialUploads } from './challenge/upload.js';
import { TASKS } from './challenge/types.js';
import { registerSplitDir } from './splits.js';
import { InputError } from '../util/errors.js';
import { resultsFileTask } from './layers/sources.js';

const HERE = dirname(fileURLToPath(import.meta.url));
/** dist/web (compiled browser modules) and src/web/public (HTML, CSS), from dist/server. */
export const WEB_DIR = resolve(HERE, '../web');
export const PUBLIC_DIR = resolve(HERE, '../../src/web/public');

import { DEFAULT_QUOTA } from './defaults.js';

export { DEFAULT_QUOTA };
export const DEFAULT_MAX_UPLOAD_BYTES = 2 * 1024 ** 3;

export interface ServeOptions {
  dataDirs?: string[];
  /** One open phase named `dev` on this ground truth (with `quota` submissions per day), unless `challenge` is given. */
  gtDir?: string;
  /** The challenge file (YAML) or an already checked challenge. */
  challenge?: string | Challenge;
  /** The clock of phases, limits and sessions (tests move it). */
  now?: () => Date;
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
  /** Results files to open as explorer layers (their task is read from the first record). */
  results?: { name: string; file: string }[];
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
  // Bad --results files are refused before anything starts.
  const resultsLayers = [];
  for (const r of options.results ?? []) resultsLayers.push({ name: r.name, file: resolve(r.file), task: await resultsFileTask(resolve(r.file)) });
  const challenge =
    typeof options.challenge === 'string'
      ? loadChallenge(options.challenge)
      : (options.challenge ?? singlePhaseChallenge(options.gtDir, options.quota ?? DEFAULT_QUOTA));
  const lock = dbFile === ':memory:' ? { release() {} } : lockDatabase(dbFile);
  let db;
  try {
    db = openDatabase(dbFile);
  } catch (err) {
    lock.release();
    throw err;
  }
  const index = options.datasetIndex ?? new SqliteDatasetIndex(db);
  const store = new SqliteStore(db);
  const queue = new InProcessJobQueue();
  const indexer = new Indexer(index, options.onIndexProgress);
  const ctx: AppContext = {
    index,
    indexer,
    store,
    queue,
    settings: {
      challenge,
      tasks: TASKS.filter((t) => challenge.phases.some((p) => p.tasks.includes(t))),
      uploadsDir: join(cacheDir, 'uploads'),
      thumbnailsDir: join(cacheDir, 'thumbnails'),
      maxUploadBytes: options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES,
      webDir: WEB_DIR,
      publicDir: PUBLIC_DIR,
      resultsLayers,
      layersDir: join(cacheDir, 'layers'),
      now: options.now ?? (() => new Date()),
    },
  };
  // Uploads and thumbnails are readable by the server's user only; a crash's partial uploads go.
  await mkdir(ctx.settings.uploadsDir, { recursive: true, mode: 0o700 });
  await mkdir(ctx.settings.thumbnailsDir, { recursive: true, mode: 0o700 });
  await removePartialUploads(ctx.settings.uploadsDir);

  // Splits from earlier runs are checked again (only changed files are read), then those given now.
  const given = new Set((options.dataDirs ?? []).map((d) => resolve(d)));
  for (const split of await index.splits()) if (!given.has(split.dir)) indexer.enqueue(split).catch(() => {});
  for (const dir of given) await registerSplitDir(ctx, dir);

  const maxAttempts = options.maxAttempts ?? 3;
  const gtDirs = new Map(challenge.phases.map((p) => [p.name, p.gtDir || undefined]));
  const evaluator = new Evaluator(store, queue, {
    gtDirOf: (phase) => gtDirs.get(phase),
    maxAttempts,
    timeoutMs: options.evalTimeoutMs ?? 6 * 3600_000,
    childHeapMb: options.childHeapMb ?? 8192,
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
    lock.release();
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
      lock.release();
    },
  };
}

/** Listens; a port in use or not allowed is the user's input, reported in one line. */
function listen(app: ReturnType<typeof createApp>, host: string, port: number): Promise<Server> {
  return new Promise<Server>((resolveServer, reject) => {
    const s = serve({ fetch: app.fetch, hostname: host, port }, () => resolveServer(s as Server));
    s.once('error', (err: NodeJS.ErrnoException) => {
      const why =
        err.code === 'EADDRINUSE'
          ? 'in use'
          : err.code === 'EACCES'
            ? 'not allowed'
            : err.code === 'EADDRNOTAVAIL'
              ? 'not an address of this machine'
              : undefined;
      reject(why ? new InputError(`${host}:${port}`, '', 'a free port and address to listen on (--host, --port)', why) : err);
    });
  });
}
