/**
 * The ground truth a layer is matched against: the explored split itself,
 * converted as `df2 convert coco` / `df2 convert retrieval` convert it, so
 * that what is drawn (the annotation files) is what is matched. Written once
 * per split and index state under the layers cache directory (the
 * converters write atomically), with the item keys of every image beside
 * them: the converters keep file key order, so the k-th annotation of an
 * image is its k-th item.
 */
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { readSplit } from '../../dataset/index.js';
import type { ImageRecord } from '../../schema/index.js';
import { writeCocoFile } from '../../convert/index.js';
import { writeRetrievalFiles } from '../../convert/index.js';
import { writeFileAtomic } from '../../util/atomic.js';
import type { SplitInfo } from '../explorer/types.js';

type TruthKind = 'coco' | 'coco-visible' | 'retrieval';

export interface SplitTruth {
  /** coco: coco.json; retrieval: query.json and gallery.json. */
  files: Record<string, string>;
  /** Item keys per image, in file key order. */
  itemKeys: Map<number, string[]>;
  /** Retrieval: item key of each query / gallery entry, in file order. */
  queryItems?: { imageId: number; key: string }[];
  galleryItems?: { imageId: number; key: string }[];
}

interface KeysFile {
  images: [number, string[]][];
  user: number[];
  shop: number[];
}

const building = new Map<string, Promise<SplitTruth>>();

/** One directory per split and index state: a reindexed split is converted again. */
export function truthDir(layersDir: string, split: SplitInfo): string {
  const stamp = createHash('sha256')
    .update(`${split.dir}\n${split.indexedAt ?? ''}`)
    .digest('hex')
    .slice(0, 16);
  return join(layersDir, `split-${split.id}-${stamp}`);
}

function fromKeys(keys: KeysFile, kind: TruthKind, files: Record<string, string>): SplitTruth {
  const itemKeys = new Map(keys.images);
  const truth: SplitTruth = { files, itemKeys };
  if (kind === 'retrieval') {
    const listOf = (ids: number[]) => ids.flatMap((imageId) => (itemKeys.get(imageId) ?? []).map((key) => ({ imageId, key })));
    truth.queryItems = listOf(keys.user);
    truth.galleryItems = listOf(keys.shop);
  }
  return truth;
}

async function build(dir: string, split: SplitInfo, kind: TruthKind): Promise<SplitTruth> {
  const files: Record<string, string> =
    kind === 'retrieval' ? { query: join(dir, 'query.json'), gallery: join(dir, 'gallery.json') } : { gt: join(dir, `${kind}.json`) };
  const keysFile = join(dir, `${kind}.keys.json`);
  const saved = await readFile(keysFile, 'utf8').catch(() => undefined);
  if (saved) return fromKeys(JSON.parse(saved) as KeysFile, kind, files);

  await mkdir(dir, { recursive: true });
  await removeStale(dir, split);
  const keys: KeysFile = { images: [], user: [], shop: [] };
  async function* tapped(): AsyncGenerator<ImageRecord> {
    for await (const record of readSplit(split.dir, { imageSizes: kind !== 'retrieval' })) {
      keys.images.push([record.id, record.items.map((it) => it.key)]);
      (record.source === 'user' ? keys.user : keys.shop).push(record.id);
      yield record;
    }
  }
  try {
    if (kind === 'retrieval') await writeRetrievalFiles(tapped(), { query: files.query!, gallery: files.gallery! });
    else await writeCocoFile(tapped(), files.gt!, { landmarks: kind === 'coco-visible' ? 'visible' : 'all' });
  } catch (err) {
    await rm(keysFile, { force: true });
    throw err;
  }
  // Written last: its presence says the converted files are complete.
  await writeFileAtomic(keysFile, JSON.stringify(keys));
  return fromKeys(keys, kind, files);
}

/** Conversions of this split at earlier index states are of no more use. */
async function removeStale(current: string, split: SplitInfo): Promise<void> {
  const parent = dirname(current);
  const prefix = `split-${split.id}-`;
  for (const name of await readdir(parent).catch(() => [] as string[])) {
    if (name.startsWith(prefix) && join(parent, name) !== current) await rm(join(parent, name), { recursive: true, force: true });
  }
}

/** The split's ground truth of one kind, converted on first use (concurrent callers share the work). */
export function splitTruth(layersDir: string, split: SplitInfo, kind: TruthKind): Promise<SplitTruth> {
  const dir = truthDir(layersDir, split);
  const key = `${dir}:${kind}`;
  let promise = building.get(key);
  if (!promise) {
    promise = build(dir, split, kind);
    building.set(key, promise);
    promise.catch(() => building.delete(key));
  }
  return promise;
}
