/** What the routes work with: the stores behind their interfaces and the settings. */
import type { Indexer } from './explorer/indexer.js';
import type { DatasetIndex } from './explorer/types.js';
import type { JobQueue, Store, Task, UploadStore } from './challenge/types.js';

export interface AppSettings {
  /** Ground truth of the challenge (server-side; never served). */
  gtDir: string | undefined;
  /** Tasks whose ground truth is present in gtDir. */
  tasks: Task[];
  /** Where uploads are received (and, with SQLite, kept). */
  uploadsDir: string;
  /** Where thumbnails are cached. */
  thumbnailsDir: string;
  /** Submissions per user, task and UTC day. */
  quota: number;
  maxUploadBytes: number;
  /** Directory of the compiled browser app (dist/web) and of its static files (src/web/public). */
  webDir: string;
  publicDir: string;
}

export interface AppContext {
  index: DatasetIndex;
  indexer: Indexer;
  store: Store;
  uploads: UploadStore;
  queue: JobQueue;
  settings: AppSettings;
}
