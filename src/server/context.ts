/** What the routes work with: the stores behind their interfaces and the settings. */
import type { Indexer } from './explorer/indexer.js';
import type { DatasetIndex } from './explorer/types.js';
import type { JobQueue, Store, Task } from './challenge/types.js';
import type { ResultsLayerFile } from './layers/sources.js';

export interface AppSettings {
  /** Ground truth of the challenge (server-side; never served). */
  gtDir: string | undefined;
  /** Tasks whose ground truth is present in gtDir. */
  tasks: Task[];
  /** Where uploads are stored. */
  uploadsDir: string;
  /** Where thumbnails are cached. */
  thumbnailsDir: string;
  /** Submissions per user, task and UTC day. */
  quota: number;
  maxUploadBytes: number;
  /** Directory of the compiled browser app (dist/web) and of its static files (src/web/public). */
  webDir: string;
  publicDir: string;
  /** Results files opened as explorer layers (--results NAME=FILE). */
  resultsLayers: ResultsLayerFile[];
  /** Where layers keep the splits converted to ground truth. */
  layersDir: string;
}

export interface AppContext {
  index: DatasetIndex;
  indexer: Indexer;
  store: Store;
  queue: JobQueue;
  settings: AppSettings;
}
