/**
 * The ground truth a long-lived evaluation process keeps between submissions:
 * the parsed COCO columns of each (file, tasks) it loaded, within a byte
 * budget, the least recently used dropped first. A phase's submissions are
 * evaluated against the same few files, and reading one (its snapshot, or
 * its JSON on a cold start) is most of an evaluation's time.
 *
 * A kept copy stands for the file as it was, by the rules of the snapshot
 * cache (eval/coco/snapshot.ts): it is used only while the file's stat
 * identity (device, inode, size, mtime and ctime to the nanosecond) is the
 * one taken before it was read, and it is kept only when that identity did
 * not change during the read and the file's mtime is older than the read's
 * start by RACY_MARGIN_NS (git's "racily clean" rule: a file changed again
 * within its timestamp's granule may keep its stat).
 */
import type { CocoGroundTruth, CocoTask } from '../../eval/index.js';
import { sameIdentity, statIdentity, type FileIdentity } from '../../eval/internal.js';

/**
 * How much older than the read's start a file's mtime must be for the read to be kept (ns). A change right after
 * the start gets an mtime at least this close to it: the kernel's timestamps lag the clock by up to a tick, and
 * some file systems keep coarse ones (FAT: 2 s).
 */
export const RACY_MARGIN_NS = 2_000_000_000n;

/** How a job came by its ground truth, as the evaluation process reports it. */
export interface GroundTruthUse {
  /** The ground truth was in this process's memory: no file was read for it. */
  fromMemory: boolean;
  /** Ground-truth files this process has read (snapshot or JSON) since it started. */
  reads: number;
  /** Bytes of ground truth this process keeps after the job. */
  keptBytes: number;
}

/** Identity and time taken before a read: what `keep` checks the loaded ground truth against. */
export interface ReadStart {
  file: string;
  identity: FileIdentity | undefined;
  startedNs: bigint;
}

interface Kept {
  gt: CocoGroundTruth;
  identity: FileIdentity;
  bytes: number;
}

const keyOf = (file: string, tasks: readonly CocoTask[]): string => `${[...new Set(tasks)].sort().join(',')}\0${file}`;

/**
 * Bytes of the typed arrays reachable from `value`, each buffer counted once (a snapshot's columns share one buffer;
 * a growable column's buffer may be larger than its view: both are what the process holds).
 */
export function typedBytes(value: unknown, seen = new Set<ArrayBufferLike>(), visited = new Set<object>()): number {
  if (typeof value !== 'object' || value === null || visited.has(value)) return 0;
  visited.add(value);
  if (ArrayBuffer.isView(value)) {
    if (seen.has(value.buffer)) return 0;
    seen.add(value.buffer);
    return value.buffer.byteLength;
  }
  let sum = 0;
  for (const v of Array.isArray(value) ? value : Object.values(value)) sum += typedBytes(v, seen, visited);
  return sum;
}

export class GroundTruthMemory {
  /** In order of use, the least recent first. */
  private readonly kept = new Map<string, Kept>();
  private total = 0;
  private readCount = 0;

  /** @param maxBytes the budget; 0 keeps nothing. */
  constructor(readonly maxBytes: number) {}

  get bytes(): number {
    return this.total;
  }

  get reads(): number {
    return this.readCount;
  }

  /**
   * The ground truth of `file` loaded for `tasks`, if kept and the file is still the one it was read from (a copy
   * of a changed or vanished file is dropped).
   *
   * @example
   * const gt = memory.lookup('gt/coco.json', ['bbox']) ?? (await load());
   */
  lookup(file: string, tasks: readonly CocoTask[]): CocoGroundTruth | undefined {
    const key = keyOf(file, tasks);
    const entry = this.kept.get(key);
    if (!entry) return undefined;
    this.drop(key);
    const now = statIdentity(file);
    if (!now || !sameIdentity(now, entry.identity)) return undefined;
    this.kept.set(key, entry); // now the most recently used
    this.total += entry.bytes;
    return entry.gt;
  }

  /** Call just before the file is read (counts a read). */
  startRead(file: string): ReadStart {
    this.readCount++;
    return { file, identity: statIdentity(file), startedNs: BigInt(Date.now()) * 1_000_000n };
  }

  /**
   * Keeps `gt`, read from `start.file` since `start`, unless the file changed meanwhile, is too recent to trust, or
   * `gt` alone is past the budget; the least recently used are dropped until it fits.
   */
  keep(start: ReadStart, gt: CocoGroundTruth): void {
    const { identity } = start;
    if (!identity || this.maxBytes <= 0) return;
    const after = statIdentity(start.file);
    if (!after || !sameIdentity(identity, after) || BigInt(identity.mtimeNs) >= start.startedNs - RACY_MARGIN_NS) return;
    // The segmentations as read only served to make the masks (the snapshot drops them likewise).
    const kept: CocoGroundTruth = { ...gt, annotations: { ...gt.annotations, segmentations: gt.annotations.segmentations ? [] : null } };
    const bytes = typedBytes(kept);
    if (bytes > this.maxBytes) return;
    const key = keyOf(start.file, gt.tasks);
    this.drop(key);
    for (const [oldest] of this.kept) {
      if (this.total + bytes <= this.maxBytes) break;
      this.drop(oldest);
    }
    this.kept.set(key, { gt: kept, identity, bytes });
    this.total += bytes;
  }

  private drop(key: string): void {
    const entry = this.kept.get(key);
    if (!entry) return;
    this.kept.delete(key);
    this.total -= entry.bytes;
  }
}
