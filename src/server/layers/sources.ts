/**
 * What can be opened as a layer: results files given to `df2 serve
 * --results NAME=FILE` (every viewer), and finished submissions, each to the
 * viewers the submissions API shows it to with its figures (one rule:
 * challenge/visibility.ts).
 */
import { resultKindOf } from '../../render/internal.js';
import { streamJson } from '../../json/stream.js';
import { InputError } from '../../util/errors.js';
import type { Task, User } from '../challenge/types.js';
import { layerVisible } from '../challenge/visibility.js';
import type { AppContext } from '../context.js';
import type { LayerJson } from '../../shared/layer-types.js';
import { copyFile, mkdir, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** A results file named on the command line, with the task read from its first record. */
export interface ResultsLayerFile {
  name: string;
  file: string;
  task: Task;
}

export interface LayerSource extends LayerJson {
  /** Server-side path of the results (never sent). */
  file: string;
}

/** Names of results layers: used in URLs. */
const LAYER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Stops streaming at the first record; an InputError, which streamJson passes through. */
class FirstRecord extends InputError {
  constructor(
    file: string,
    readonly value: unknown,
  ) {
    super(file, '', 'nothing (first record seen)');
  }
}

/** The task of a results file, by its first record's fields (keypoints results are 'keypoints'). */
export async function resultsFileTask(file: string): Promise<Task> {
  let first: unknown;
  try {
    // An object (a COCO ground-truth file given by mistake) is refused at its first value, not read whole.
    const notArray = (): never => {
      throw new InputError(file, '', 'a JSON array of results', 'an object');
    };
    const summary = await streamJson(file, {
      onElement(key, _i, value) {
        if (key !== null) notArray();
        throw new FirstRecord(file, value);
      },
      onValue: notArray,
    });
    if (summary.topLevel !== 'array') notArray();
  } catch (err) {
    if (!(err instanceof FirstRecord)) throw err;
    first = err.value;
  }
  if (first === undefined) throw new InputError(file, '', 'a non-empty JSON array of results', 'no result');
  const kind = resultKindOf(first);
  if (kind) return kind;
  if (typeof first === 'object' && first !== null && 'query_image_id' in first) return 'retrieval';
  throw new InputError(file, '[0]', 'a bbox, segm, keypoints or retrieval result', 'none of these');
}

/** `NAME=FILE` as given to --results; the file's task is read when the server starts. */
export function parseResultsOption(value: string): { name: string; file: string } {
  const eq = value.indexOf('=');
  const name = value.slice(0, eq);
  if (eq < 1 || !LAYER_NAME.test(name) || eq === value.length - 1) {
    throw new InputError('--results', value, 'NAME=FILE with NAME of letters, digits, ".", "_" or "-"');
  }
  return { name, file: value.slice(eq + 1) };
}

const fileLayer = (f: ResultsLayerFile): LayerSource => ({ id: `file-${f.name}`, name: f.name, task: f.task, source: 'file', file: f.file });

/** The layers this viewer may open. */
export async function visibleLayers(ctx: AppContext, viewer: User | undefined): Promise<LayerSource[]> {
  const layers = ctx.settings.resultsLayers.map(fileLayer);
  if (!viewer) return layers;
  const subs = await ctx.store.listSubmissions({ userId: viewer.admin ? undefined : viewer.id, limit: 200 });
  const now = ctx.settings.now();
  for (const s of subs) {
    if (!layerVisible(ctx.settings.challenge, s, viewer, now)) continue;
    // Only listed here: the file is fetched when the layer is opened.
    const file = await ctx.store.uploadKey(s.id);
    if (file) layers.push({ id: `sub-${s.id}`, name: `#${s.id} ${s.name}`, task: s.task, source: 'submission', user: s.userName, file });
  }
  return layers;
}

/** One layer by id, if this viewer may open it. */
export async function findLayer(ctx: AppContext, id: string, viewer: User | undefined): Promise<LayerSource | undefined> {
  if (id.startsWith('file-')) {
    const f = ctx.settings.resultsLayers.find((l) => `file-${l.name}` === id);
    return f ? fileLayer(f) : undefined;
  }
  const m = /^sub-(\d{1,9})$/.exec(id);
  if (!m || !viewer) return undefined;
  const sub = await ctx.store.submission(Number(m[1]));
  if (!sub || !layerVisible(ctx.settings.challenge, sub, viewer, ctx.settings.now())) return undefined;
  const file = await submissionFile(ctx, sub.id);
  return file ? { id, name: `#${sub.id} ${sub.name}`, task: sub.task, source: 'submission', user: sub.userName, file } : undefined;
}

/**
 * A local file with a submission's results: the upload itself when uploads
 * are files (SQLite), else a copy fetched once from the UploadStore into the
 * layers directory (an upload never changes, so the copy stays good).
 */
async function submissionFile(ctx: AppContext, id: number): Promise<string | undefined> {
  const key = await ctx.store.uploadKey(id);
  if (key === undefined || ctx.store.kind === 'sqlite') return key;
  const dir = join(ctx.settings.layersDir, 'submissions');
  const file = join(dir, `${id}.json`);
  if (
    await stat(file).then(
      () => true,
      () => false,
    )
  )
    return file;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const opened = await ctx.uploads.open(key);
  try {
    const part = `${file}.${process.pid}.part`;
    await copyFile(opened.path, part);
    await rename(part, file);
  } finally {
    await opened.release();
  }
  return file;
}
