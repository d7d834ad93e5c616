/**
 * Starts df2 serve: opens the backend (SQLite file or PostgreSQL), registers
 * and indexes the splits, recovers the submission queue, starts the
 * in-process workers (--workers N) and listens.
 */
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Server } from 'node:http';
import { createApp } from './app.js';
import type { AppContext } from './context.js';
import { mkdir } from 'node:fs/promises';
import { SqliteDatasetIndex } from './explorer/sqlite-index.js';
import { Indexer, type IndexProgress } from './explorer/indexer.js';
import { annotationReader } from './explorer/annotation-reader.js';
import { Evaluator, workerSeenSeconds } from './challenge/evaluator.js';
import { SubmissionService } from './challenge/service.js';
import type { Challenge } from './challenge/config.js';
import { removePartialUploads } from './challenge/upload.js';
import { openChallengeBackend } from './backend.js';
import type { DatasetIndex } from './explorer/types.js';
import { registerSplitDir } from './splits.js';
import { InputError } from '../util/errors.js';
import { resultsFileTask } from './layers/sources.js';

const HERE = dirname(fileURLToPath(import.meta.url));
/** dist/web (compiled browser modules) and src/web/public (HTML, CSS), from dist/server. */
const WEB_DIR = resolve(HERE, '../web');
const PUBLIC_DIR = resolve(HERE, '../../src/web/public');

import { SERVER_DEFAULTS } from './defaults.js';
import { cacheDirOf, challengeTasks, evaluationSettings, phaseRules, resolveChallenge, type EvaluationOptions } from './config.js';
import { ignoreRejection } from '../util/ignore-rejection.js';

export interface ServeOptions extends EvaluationOptions {
  dataDirs?: string[];
  /** One open phase named `dev` on this ground truth (with `quota` submissions per day), unless `challenge` is given. */
  gtDir?: string;
  /** The challenge file (YAML) or an already checked challenge (resolveChallenge; the CLI's, checked once). */
  challenge?: string | Challenge;
  /** The clock of phases, limits and sessions (tests move it). */
  now?: () => Date;
  /** An SQLite file, or a postgres:// URL shared with other servers and `df2 worker`s. */
  db: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** @default 5 */
  quota?: number;
  /** @default 2 GiB */
  maxUploadBytes?: number;
  /** Uploads (SQLite) and thumbnails; default: beside the SQLite file, `.df2` with PostgreSQL. */
  cacheDir?: string;
  /** Evaluations this process runs at once (default 1); 0: it evaluates nothing (workers elsewhere do). */
  workers?: number;
  /** On close, running evaluations may finish for this long (ms) before they are put back; default 0. */
  stopGraceMs?: number;
  /** More Node options of each evaluation process (tests preload one that misbehaves). */
  childExecArgv?: string[];
  /** One line per evaluation event (claims, results and where the ground truth came from, retries); default: none. */
  evaluationLog?: (line: string) => void;
  onIndexProgress?: (split: string, progress: IndexProgress) => void;
  /** Results files to open as explorer layers (their task is read from the first record). */
  results?: { name: string; file: string }[];
  /** The explorer's index (default: in the challenge's database); tests give one to compare backends. */
  datasetIndex?: DatasetIndex;
  /** Tests shorten these: SERVER_DEFAULTS.requestTimeLimitMs and idleTimeoutMs. */
  requestTimeLimitMs?: number;
  idleTimeoutMs?: number;
}

export interface RunningServer {
  url: string;
  port: number;
  ctx: AppContext;
  /** The limits the HTTP server applies (ms): a whole request, a connection without traffic, the request's headers. */
  timeouts: { requestMs: number; idleMs: number; headersMs: number };
  /** Resolves when indexing and the submission queue are idle. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  // Bad --results files and a bad challenge file are refused before anything starts.
  const resultsLayers = [];
  for (const r of options.results ?? []) resultsLayers.push({ name: r.name, file: resolve(r.file), task: await resultsFileTask(resolve(r.file)) });
  const challenge = await resolveChallenge(options, { command: 'serve', required: false });
  const evaluation = evaluationSettings(options);
  const backend = await openChallengeBackend(options.db, {
    evaluationSeconds: Math.ceil(evaluation.timeoutMs / 1000),
    applicationName: 'df2 serve',
    cacheDir: cacheDirOf(options.db, options.cacheDir),
  });
  const { store, uploads, queue, cacheDir } = backend;
  // The explorer's index: in the same database as the challenge (SQLite file or PostgreSQL), unless given.
  const index =
    options.datasetIndex ??
    (backend.pgPool ? await (await import('./explorer/pg-index.js')).PgDatasetIndex.open(backend.pgPool) : new SqliteDatasetIndex(backend.sqlite!));
  const indexer = new Indexer(index, options.onIndexProgress);
  annotationReader.warm();
  const submissions = new SubmissionService({ store, uploads, queue });
  const stopping = new AbortController();
  const ctx: AppContext = {
    index,
    indexer,
    store,
    uploads,
    queue,
    submissions,
    link: backend.link,
    settings: {
      challenge,
      tasks: challengeTasks(challenge),
      uploadsDir: join(cacheDir, 'uploads'),
      thumbnailsDir: join(cacheDir, 'thumbnails'),
      maxUploadBytes: options.maxUploadBytes ?? SERVER_DEFAULTS.maxUploadMb * 1024 * 1024,
      webDir: WEB_DIR,
      publicDir: PUBLIC_DIR,
      resultsLayers,
      layersDir: join(cacheDir, 'layers'),
      workerSeenSeconds: workerSeenSeconds(evaluation.leaseSeconds),
      now: options.now ?? (() => new Date()),
    },
    stopping: stopping.signal,
  };
  // Uploads and thumbnails are readable by the server's user only; a crash's partial uploads go.
  await mkdir(ctx.settings.uploadsDir, { recursive: true, mode: 0o700 });
  await mkdir(ctx.settings.thumbnailsDir, { recursive: true, mode: 0o700 });
  // With SQLite this process is the only server: a crash's partial uploads go. A shared database's other
  // servers may be receiving into the same directory right now.
  if (backend.kind === 'sqlite') await removePartialUploads(ctx.settings.uploadsDir);

  // Splits from earlier runs are checked again (only changed files are read), then those given now.
  const given = new Set((options.dataDirs ?? []).map((d) => resolve(d)));
  for (const split of await index.splits())
    if (!given.has(split.dir)) void ignoreRejection(indexer.enqueue(split), "a failed run is shown in the split's indexing status");
  for (const dir of given) await registerSplitDir(ctx, dir);

  const workers = options.workers ?? SERVER_DEFAULTS.workers;
  const shared = backend.kind === 'postgres';
  const evaluator = new Evaluator(
    { submissions, store, uploads, queue },
    {
      ...evaluation,
      ...phaseRules(challenge),
      snapshotDir: join(cacheDir, 'snapshots'),
      ...(options.childExecArgv ? { childExecArgv: options.childExecArgv } : {}),
      ...(options.evaluationLog ? { log: options.evaluationLog } : {}),
      sweep: shared,
      concurrency: workers,
      link: backend.link,
    },
  );
  if (shared) {
    // Other processes may be evaluating right now: only claims whose heartbeats stopped are taken back.
    await evaluator.sweep();
  } else {
    // This process alone uses the SQLite file: whatever was running when it last stopped was interrupted.
    await submissions.recover(evaluation.maxAttempts, 0, 0);
  }
  if (workers > 0) await queue.start(evaluator.work, workers);
  await evaluator.startBackground({ heartbeat: workers > 0 });

  const stopWork = async (): Promise<void> => {
    await evaluator.stop(options.stopGraceMs ?? 0);
    await queue.stop();
    await indexer.stop();
  };
  const closeStores = async (): Promise<void> => {
    await backend.close();
  };
  const host = options.host ?? '127.0.0.1';
  let server: Server;
  try {
    server = await listen(createApp(ctx), host, options.port ?? 0, {
      requestMs: options.requestTimeLimitMs ?? SERVER_DEFAULTS.requestTimeLimitMs,
      idleMs: options.idleTimeoutMs ?? SERVER_DEFAULTS.idleTimeoutMs,
    });
  } catch (err) {
    // Nothing may go on in the background of a server that could not start.
    await stopWork();
    await closeStores();
    throw err;
  }
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;

  return {
    url: `http://${urlHost}:${port}`,
    port,
    ctx,
    timeouts: { requestMs: server.requestTimeout, idleMs: server.timeout, headersMs: server.headersTimeout },
    async idle() {
      await indexer.idle();
      await queue.idle();
    },
    async close() {
      stopping.abort();
      await stopWork();
      await new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      });
      await closeStores();
    },
  };
}

/** Listens; a port in use or not allowed is the user's input, reported in one line. */
function listen(app: ReturnType<typeof createApp>, host: string, port: number, limits: { requestMs: number; idleMs: number }): Promise<Server> {
  return new Promise<Server>((resolveServer, reject) => {
    const s = serve({ fetch: app.fetch, hostname: host, port, serverOptions: { requestTimeout: limits.requestMs } }, () => resolveServer(s as Server));
    // An idle limit rather than only a total one: a slow upload goes on as long as bytes come.
    (s as Server).setTimeout(limits.idleMs);
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
