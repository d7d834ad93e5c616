/**
 * Writes a split in the Ultralytics dataset layout:
 *
 *     OUTDIR/images/<split>/NNNNNN.jpg   symlinks to the split's images (or copies)
 *     OUTDIR/labels/<split>/NNNNNN.txt   one line per item (see yolo.ts)
 *     OUTDIR/data.yaml                   path, the splits present, names, and for pose kpt_shape/flip_idx
 *
 * Ultralytics finds a label by replacing /images/ with /labels/ in the image
 * path, which is why both trees share the split name. Several splits can go
 * into one OUTDIR (one command each); data.yaml then lists all of them.
 *
 * Nothing is half-written: both trees are built in hidden folders beside
 * their final place and renamed into it at the end (replacing an earlier
 * conversion of the same split); data.yaml is written atomically last.
 */
import { copyFile, readFile, rename, rm, rmdir, stat, symlink, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { Document, parse } from 'yaml';
import type { ImageRecord } from '../schema/index.js';
import { TOTAL_LANDMARKS } from '../schema/index.js';
import { InputError } from '../util/errors.js';
import { writeFileAtomic } from '../util/atomic.js';
import { makeDirs } from '../util/make-dirs.js';
import { releaseTemp, trackTemp } from '../util/temp-files.js';
import { requireImageSize } from './coco-writer.js';
import { yoloClassNames, yoloFlipIndex, yoloLabelText, type YoloTask } from './yolo.js';
import { ignoreRejection } from '../util/ignore-rejection.js';

export type YoloSplit = 'train' | 'val' | 'test';
export const YOLO_SPLITS: readonly YoloSplit[] = ['train', 'val', 'test'];

/** The Ultralytics split key for a DeepFashion2 split folder name (train, validation, test). */
export function yoloSplitForDir(dir: string): YoloSplit | undefined {
  const name = basename(resolve(dir)).toLowerCase();
  if (name === 'train') return 'train';
  if (name === 'validation' || name === 'val') return 'val';
  if (name === 'test') return 'test';
  return undefined;
}

export interface YoloWriteOptions {
  outDir: string;
  split: YoloSplit;
  task: YoloTask;
  /**
   * Copy images instead of symlinking them.
   * @default false
   */
  copy?: boolean;
  /**
   * File operations in flight at once.
   * @default 16
   */
  concurrency?: number;
}

export interface YoloWriteSummary {
  images: number;
  labels: number;
  /** Items left out because their box is empty inside the image. */
  skipped: number;
  dataYaml: string;
}

export async function writeYoloDataset(records: AsyncIterable<ImageRecord>, options: YoloWriteOptions): Promise<YoloWriteSummary> {
  const outDir = resolve(options.outDir);
  const stamp = `${process.pid}.${Date.now().toString(36)}`;
  const trees = ['images', 'labels'].map((kind) => ({
    final: join(outDir, kind, options.split),
    building: join(outDir, kind, `.${options.split}.${stamp}.tmp`),
  }));
  const [imagesTree, labelsTree] = trees as [(typeof trees)[0], (typeof trees)[0]];
  const summary: YoloWriteSummary = { images: 0, labels: 0, skipped: 0, dataYaml: join(outDir, 'data.yaml') };
  // A data.yaml that cannot be updated is refused before the conversion, not after it.
  await readDataYaml(summary.dataYaml);
  const pool = new TaskPool(options.concurrency ?? 16);
  // Folders this run creates, removed again (if still empty) on failure.
  const created: string[] = [];
  for (const dir of [outDir, join(outDir, 'images'), join(outDir, 'labels')]) {
    if (
      !(await stat(dir).then(
        () => true,
        () => false,
      ))
    )
      created.push(dir);
  }
  try {
    for (const tree of trees) {
      trackTemp(tree.building);
      await makeDirs(tree.building).catch((err: Error) => {
        throw new InputError(outDir, '', 'a folder that can be made', err.message);
      });
    }
    for await (const record of records) {
      requireImageSize(record, 'labels are divided by its width and height');
      const { text, written, skipped } = yoloLabelText(record.items, record, options.task);
      summary.images++;
      summary.labels += written;
      summary.skipped += skipped;
      const imageTarget = join(imagesTree.building, `${record.name}.jpg`);
      const imageSource = resolve(record.imagePath!);
      await pool.add(writeFile(join(labelsTree.building, `${record.name}.txt`), text));
      await pool.add(options.copy ? copyFile(imageSource, imageTarget) : symlink(imageSource, imageTarget));
    }
    await pool.drain();
    for (const tree of trees) {
      await replaceDir(tree.building, tree.final);
      releaseTemp(tree.building);
    }
  } catch (err) {
    await pool.settle(); // no write may land in a folder being removed
    for (const tree of trees) {
      await rm(tree.building, { recursive: true, force: true });
      releaseTemp(tree.building);
    }
    for (const dir of created.reverse()) await ignoreRejection(rmdir(dir), 'a folder that is not empty was not ours alone: it stays');
    throw err;
  }
  await writeFileAtomic(summary.dataYaml, await dataYamlText(outDir, options));
  return summary;
}

/** Moves a finished folder into place, replacing an older one. */
async function replaceDir(building: string, final: string): Promise<void> {
  const old = `${building}.old`;
  const hadOld = await rename(final, old).then(
    () => true,
    (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return false;
      throw err;
    },
  );
  await rename(building, final);
  if (hadOld) await rm(old, { recursive: true, force: true });
}

/** An existing data.yaml's content (null when there is none). */
async function readDataYaml(file: string): Promise<Record<string, unknown> | null> {
  return readFile(file, 'utf8').then(
    (text) => {
      try {
        return parse(text) as Record<string, unknown> | null;
      } catch (err) {
        throw new InputError(file, '', 'a data.yaml that df2 can update', (err as Error).message.split('\n')[0]);
      }
    },
    () => null,
  );
}

/**
 * data.yaml: this split plus any other split already converted into OUTDIR.
 * Read again at the end, so that a split converted meanwhile by another run
 * into the same OUTDIR is kept.
 */
async function dataYamlText(outDir: string, options: YoloWriteOptions): Promise<string> {
  const previous = await readDataYaml(join(outDir, 'data.yaml'));
  const splits: Partial<Record<YoloSplit, string>> = {};
  for (const split of YOLO_SPLITS) {
    const listed = previous?.[split];
    if (split === options.split) splits[split] = `images/${split}`;
    else if (typeof listed === 'string') splits[split] = listed;
  }
  const data: Record<string, unknown> = { path: outDir, ...splits, names: yoloClassNames() };
  if (options.task === 'pose') {
    data.kpt_shape = [TOTAL_LANDMARKS, 3];
    data.flip_idx = yoloFlipIndex();
  }
  const doc = new Document(data);
  // Short lists on one line: flip_idx has 294 entries.
  for (const key of ['kpt_shape', 'flip_idx']) {
    const node = doc.get(key, true) as { flow?: boolean } | undefined;
    if (node) node.flow = true;
  }
  return `# DeepFashion2 in the Ultralytics layout, written by df2 convert yolo (task: ${options.task})\n${doc.toString({ lineWidth: 0 })}`;
}

/** At most `limit` file operations in flight; the first failure is rethrown. */
class TaskPool {
  private readonly running = new Set<Promise<unknown>>();
  private failure: { error: unknown } | undefined;
  constructor(private readonly limit: number) {}

  async add(task: Promise<unknown>): Promise<void> {
    const tracked = task.then(
      () => {
        this.running.delete(tracked);
      },
      (error: unknown) => {
        this.running.delete(tracked);
        this.failure ??= { error };
      },
    );
    this.running.add(tracked);
    if (this.running.size >= this.limit) await Promise.race(this.running);
    if (this.failure) throw this.failure.error;
  }

  /** Waits for everything in flight, failed or not. */
  async settle(): Promise<void> {
    await Promise.all(this.running);
  }

  async drain(): Promise<void> {
    await Promise.all(this.running);
    if (this.failure) throw this.failure.error;
  }
}
