/**
 * The indexer's worker thread: lists a split's annotation files, and for each
 * that is new or whose mtime/size changed, reads it, checks it as
 * `df2 validate` does and reads its image's size, all with synchronous
 * system calls (in a worker they block nobody, and cost a fraction of a
 * thread-pool round trip each). Per file: one stat when it was indexed
 * before (nothing more when unchanged); otherwise open, fstat, read, close
 * for the annotation and open, read, close for the image header (image/ is
 * not listed: a missing image shows at its open).
 *
 * Several workers may share a split: each takes every n-th run of names.
 * The indexer pulls (util/worker-client.ts): each call gets the next message
 * of the run, batches as typed columns (transferred, not copied:
 * image-batch.ts). The indexer keeps a few calls out and asks again as it
 * writes, so that memory stays bounded when the database writes slower.
 *
 * The thread runs at a lower CPU priority (nice 10, on Linux): on a server
 * answering requests, indexing takes the CPU they leave; idle, it runs at
 * full speed.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { workerData } from 'node:worker_threads';
import { NameSet } from '../../dataset/index.js';
import { scanSplitSync } from '../../dataset/internal.js';
import { lowerThreadPriority } from '../../util/thread-priority.js';
import { serveCalls } from '../../util/worker-serve.js';
import { indexAnnotationFile, indexScratch } from './index-file.js';
import { ImageBatchBuilder, batchBuffers } from './image-batch.js';
import type { IndexRequest, IndexWorkerData, ToIndexer } from './index-protocol.js';
import type { BadFile } from './types.js';

const data = workerData as IndexWorkerData;
/** Consecutive names one worker takes at a time (neighbouring files, neighbouring rows). */
const SHARE = 256;

/** The run's messages, in order: the listing's size, batches, the end. */
function* indexRun(): Generator<ToIndexer, void, undefined> {
  lowerThreadPriority(10);
  const listing = scanSplitSync(data.dir, { annotationsOnly: true });
  const known = new Map<number, number>();
  for (let k = 0; k < data.knownIds.length; k++) known.set(data.knownIds[k]!, k);
  yield { type: 'listed', total: listing.names.length };

  const scratch = indexScratch();
  const images = new ImageBatchBuilder(data.batchSize);
  let bad: BadFile[] = [];
  let badIds: number[] = [];
  let batch = 0;
  let done = 0;
  let changed = 0;
  const take = (): ToIndexer => {
    const message: ToIndexer = { type: 'batch', batch: ++batch, images: images.take(), bad, badIds, done, changed };
    bad = [];
    badIds = [];
    return message;
  };

  // This worker's share: every parts-th run of SHARE names, from its part on.
  for (let at = 0; at < listing.names.length; at++) {
    if (Math.floor(at / SHARE) % data.parts !== data.part) continue;
    const name = listing.names.at(at);
    const id = Number(name);
    const k = known.get(id);
    done++;
    if (k !== undefined) {
      const st = statSync(join(data.dir, 'annos', `${name}.json`), { throwIfNoEntry: false });
      if (st && st.mtimeMs === data.knownMtimes[k] && st.size === data.knownSizes[k]) continue;
    }
    changed++;
    const verdict = indexAnnotationFile(data.dir, data.name, name, scratch);
    if ('bad' in verdict) {
      bad.push(verdict.bad);
      badIds.push(id);
    } else {
      images.add(verdict.image);
    }
    if (images.count + bad.length >= data.batchSize) yield take();
  }
  yield take();
  // The first worker reports what is gone.
  let removed: number[] = [];
  if (data.part === 0) {
    const present = new NameSet();
    for (const id of listing.names.ids) present.add(id);
    removed = [...data.knownIds.filter((id) => !present.hasId(id))];
  }
  yield { type: 'end', removed, total: listing.names.length, changed };
}

const run = indexRun();
// A split that cannot be listed fails the call with its InputError.
serveCalls((_: IndexRequest): ToIndexer | null => run.next().value ?? null, {
  transfer: (message) => (message?.type === 'batch' ? batchBuffers(message.images) : []),
});
