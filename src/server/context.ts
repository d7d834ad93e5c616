/** What the routes work with: the stores behind their interfaces and the settings. */
import type { Indexer } from './explorer/indexer.js';
import type { DatasetIndex } from './explorer/types.js';
import type { JobQueue, Store, Task, UploadStore } from './challenge/types.js';
import type { ResultsLayerFile } from './layers/sources.js';
import type { Challenge } from './challenge/config.js';
import type { DatabaseLink } from './store/database-link.js';
import type { SubmissionService } from './challenge/service.js';

interface AppSettings {
  /** The challenge: phases (each with its ground truth, server-side, never served), registration. */
  challenge: Challenge;
  /** Tasks of any phase (what the app offers). */
  tasks: Task[];
  /** Where uploads are received (and, with SQLite, kept). */
  uploadsDir: string;
  /** Where thumbnails are cached. */
  thumbnailsDir: string;
  maxUploadBytes: number;
  /** Directory of the compiled browser app (dist/web) and of its static files (src/web/public). */
  webDir: string;
  publicDir: string;
  /** Results files opened as explorer layers (--results NAME=FILE). */
  resultsLayers: ResultsLayerFile[];
  /** Where layers keep the splits converted to ground truth. */
  layersDir: string;
  /** GET /api/health lists the workers with a heartbeat this recent (s): their heartbeat interval and a grace. */
  workerSeenSeconds: number;
  /** The time for phases, limits and sessions; tests move it. */
  now: () => Date;
}

export interface AppContext {
  index: DatasetIndex;
  indexer: Indexer;
  store: Store;
  uploads: UploadStore;
  queue: JobQueue;
  /** Every change to a submission (upload, edit, marks, cancel, re-run, an evaluation's outcome) goes through it. */
  submissions: SubmissionService;
  /** Whether the database answers (GET /api/health; routes answer 503 while it does not). */
  link: DatabaseLink;
  settings: AppSettings;
  /**
   * Aborted when the server starts to close: a request still running then (an upload the closing cut off, undoing its
   * reservation in a store that is closing) is answered 503 instead of failing as an internal error.
   */
  stopping: AbortSignal;
}
