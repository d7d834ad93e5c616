/**
 * The ground-truth snapshot cache: the first evaluation of a ground-truth
 * file writes what it loaded to a binary snapshot (snapshot-format.ts) in a
 * cache folder; later ones read that instead of parsing the JSON again.
 *
 * A snapshot stands for one file as it was: it is trusted only when the
 * file's stat identity (device, inode, size, mtime and ctime to the
 * nanosecond) is the one recorded, as git's index trusts a file, and with
 * git's rule for "racily clean" entries: a file whose mtime is not older
 * than the snapshot's write time may have been changed again within the
 * same timestamp granule without its stat changing, so such a snapshot is
 * neither written nor trusted. `verify` also compares a SHA-256 of the
 * file's bytes. A snapshot that is stale, truncated, corrupt, foreign (of
 * another file), of another format version or racily clean is never used:
 * the caller rebuilds it and `onNote` gets one line saying why.
 *
 * Snapshots are written to a temporary file and renamed, so two processes
 * writing the same one leave one whole file; the folder is kept under a
 * size cap, the least recently used snapshots removed first (a read counts
 * as a use: it sets the file's mtime, which nothing else reads).
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeSync,
  type BigIntStats,
} from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { isTempFileName, tempPathFor } from '../../util/atomic.js';
import { releaseTemp, trackTemp } from '../../util/temp-files.js';
import type { CocoGroundTruth } from './ground-truth.js';
import type { CocoTask } from './params.js';
import { type FileIdentity, PREFIX_BYTES, SnapshotRejected, WRITE_TIME_AT, decodeSnapshot, encodeSnapshot, readPrefix } from './snapshot-format.js';

/** Default size cap of the cache folder: a few validation-sized snapshots of every task, or one train-sized segm one. */
export const DEFAULT_CACHE_MAX_BYTES = 4 * 1024 ** 3;

export const SNAPSHOT_SUFFIX = '.df2snap';

export interface SnapshotCacheOptions {
  /** The cache folder (see defaultCacheDir). */
  dir: string;
  /**
   * Also compare a SHA-256 of the file's bytes with the one the snapshot was made from (reads the whole
   * file). A snapshot written without `verify` has no hash: a verifying run rebuilds it with one.
   * @default false
   */
  verify?: boolean;
  /**
   * Size cap of the folder in bytes.
   * @default `DEFAULT_CACHE_MAX_BYTES`, or DF2_CACHE_MAX_MB in the environment
   */
  maxBytes?: number;
  /** One line per snapshot not used or not written, saying why (default: none). */
  onNote?: (line: string) => void;
}

/**
 * The cache folder: `$XDG_CACHE_HOME/df2`, else `~/.cache/df2`.
 *
 * @example
 * ```ts
 * import { defaultCacheDir, loadCocoGroundTruth } from 'df2/eval';
 * const gt = await loadCocoGroundTruth('val-coco.json', ['bbox'], { cache: { dir: defaultCacheDir() } });
 * ```
 */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  return join(xdg && xdg.startsWith('/') ? xdg : join(homedir(), '.cache'), 'df2');
}

/** The cap in bytes: the option, else DF2_CACHE_MAX_MB, else the default. */
function cacheMaxBytes(options: SnapshotCacheOptions, env: NodeJS.ProcessEnv = process.env): number {
  if (options.maxBytes !== undefined) return options.maxBytes;
  const mb = Number(env.DF2_CACHE_MAX_MB);
  return env.DF2_CACHE_MAX_MB !== undefined && env.DF2_CACHE_MAX_MB.trim() !== '' && Number.isFinite(mb) && mb >= 0
    ? Math.floor(mb * 1024 * 1024)
    : DEFAULT_CACHE_MAX_BYTES;
}

function identityOf(stats: BigIntStats): FileIdentity {
  return {
    dev: String(stats.dev),
    ino: String(stats.ino),
    size: String(stats.size),
    mtimeNs: String(stats.mtimeNs),
    ctimeNs: String(stats.ctimeNs),
  };
}

/** Whether two stat identities are the same file as it was: device, inode, size, mtime and ctime to the nanosecond. */
export const sameIdentity = (a: FileIdentity, b: FileIdentity): boolean =>
  a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs;

const sortedTasks = (tasks: readonly CocoTask[]): string[] => [...new Set(tasks)].sort();

/** Where the snapshot of `file` loaded for `tasks` lives: named by a hash of the resolved path and the tasks. */
export function snapshotPath(dir: string, file: string, tasks: readonly CocoTask[]): string {
  const key = createHash('sha256')
    .update(`${realPath(file)}\0${sortedTasks(tasks).join(',')}`)
    .digest('hex')
    .slice(0, 32);
  return join(dir, `${key}${SNAPSHOT_SUFFIX}`);
}

function realPath(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return resolve(file);
  }
}

/** The file's identity now, or undefined when it cannot be read (the JSON loader then says why). */
export function statIdentity(file: string): FileIdentity | undefined {
  try {
    return identityOf(statSync(file, { bigint: true }));
  } catch {
    return undefined;
  }
}

function sha256OfFile(file: string): string {
  const hash = createHash('sha256');
  const fd = openSync(file, 'r');
  try {
    const chunk = Buffer.allocUnsafe(8 << 20);
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      hash.update(chunk.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

/** `length` bytes from the start of the file into shared memory (fewer if the file is shorter), read by the file system's threads. */
async function readShared(handle: FileHandle, length: number): Promise<Uint8Array> {
  const bytes = new Uint8Array(new SharedArrayBuffer(length));
  let at = 0;
  while (at < length) {
    const { bytesRead } = await handle.read(bytes, at, Math.min(length - at, 1 << 30), at);
    if (bytesRead === 0) break;
    at += bytesRead;
  }
  return at === length ? bytes : bytes.subarray(0, at);
}

/**
 * The ground truth from its snapshot, or undefined (no snapshot, or one not
 * to be used: onNote says why, and the caller rebuilds it). The bytes are
 * read asynchronously, so that a caller can read the results meanwhile.
 */
export async function readSnapshot(file: string, tasks: readonly CocoTask[], options: SnapshotCacheOptions): Promise<CocoGroundTruth | undefined> {
  const identity = statIdentity(file);
  if (!identity) return undefined;
  const path = snapshotPath(options.dir, file, tasks);
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch {
    return undefined; // none yet (or unreadable: it will be written anew)
  }
  try {
    const stats = await handle.stat({ bigint: true });
    const size = Number(stats.size);
    const head = await readShared(handle, Math.min(size, PREFIX_BYTES));
    const { writtenNs } = readPrefix(head, size);
    if (writtenNs === 0n) throw new SnapshotRejected('it is corrupt (no write time)');
    const { header, gt } = decodeSnapshot(await readShared(handle, size), file);
    if (header.path !== realPath(file)) throw new SnapshotRejected(`it is foreign (a snapshot of ${header.path})`);
    if (sortedTasks(tasks).join(',') !== header.tasks.join(',')) throw new SnapshotRejected(`it is foreign (loaded for ${header.tasks.join(', ')})`);
    if (!sameIdentity(header.identity, identity)) throw new SnapshotRejected('it is stale (the file changed since it was written)');
    if (BigInt(identity.mtimeNs) >= writtenNs)
      throw new SnapshotRejected('the file was modified within the same timestamp granule as the snapshot was written (racily clean)');
    if (options.verify && header.contentSha256 === null) throw new SnapshotRejected('it has no content hash to verify (it was written without --verify-cache)');
    if (options.verify && header.contentSha256 !== sha256OfFile(file)) throw new SnapshotRejected('the content hash differs (--verify-cache)');
    touch(path);
    return gt;
  } catch (err) {
    if (!(err instanceof SnapshotRejected)) throw err;
    options.onNote?.(`df2: ground-truth snapshot ${path} not used: ${err.message}; rebuilding it`);
    return undefined;
  } finally {
    await handle.close();
  }
}

/** Marks a snapshot as just used (the cap removes the least recently used first). */
function touch(path: string): void {
  try {
    const now = new Date();
    utimesSync(path, now, now);
  } catch {
    // A read-only cache still serves; only its order of removal suffers.
  }
}

/**
 * Writes the snapshot of `gt`, which was loaded from a file whose identity
 * was `before` when the load started; nothing is written when the file
 * changed meanwhile or is racily clean. A failure to write is said in one
 * line: the evaluation goes on without a snapshot.
 */
export function writeSnapshot(gt: CocoGroundTruth, before: FileIdentity, options: SnapshotCacheOptions): void {
  const note = (why: string): void => options.onNote?.(`df2: ground-truth snapshot of ${gt.file} not written: ${why}`);
  const after = statIdentity(gt.file);
  if (!after || !sameIdentity(before, after)) return note('the file changed while it was read');
  const path = snapshotPath(options.dir, gt.file, gt.tasks);
  const chunks = encodeSnapshot(gt, {
    path: realPath(gt.file),
    identity: before,
    tasks: sortedTasks(gt.tasks),
    contentSha256: gt.contentSha256 ?? null,
  });
  const total = chunks.reduce((sum, c) => sum + c.byteLength, 0);
  const cap = cacheMaxBytes(options);
  if (total > cap) {
    enforceCap(options.dir, cap);
    return note(`it would take ${total} bytes, more than the cache's cap of ${cap} (DF2_CACHE_MAX_MB)`);
  }
  let tmp: string | undefined;
  let fd: number | undefined;
  try {
    mkdirSync(options.dir, { recursive: true });
    tmp = tempPathFor(path);
    trackTemp(tmp);
    fd = openSync(tmp, 'wx', 0o644);
    for (const chunk of chunks) {
      let at = 0;
      while (at < chunk.byteLength) at += writeSync(fd, chunk, at, chunk.byteLength - at);
    }
    // The write time is the temporary file's mtime once the body is on disk (the rename keeps it).
    const writtenNs = fstatSync(fd, { bigint: true }).mtimeNs;
    if (BigInt(before.mtimeNs) >= writtenNs) {
      note('the file was modified within the same timestamp granule as the snapshot (racily clean); the next run writes it');
      return;
    }
    const stamp = Buffer.alloc(8);
    stamp.writeBigUInt64LE(writtenNs);
    writeSync(fd, stamp, 0, 8, WRITE_TIME_AT);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
    releaseTemp(tmp);
    tmp = undefined;
  } catch (err) {
    note(err instanceof Error ? err.message : String(err));
    return;
  } finally {
    if (fd !== undefined) closeSync(fd);
    if (tmp !== undefined) {
      rmSync(tmp, { force: true });
      releaseTemp(tmp);
    }
  }
  enforceCap(options.dir, cap, path);
}

/**
 * Removes the least recently used snapshots until the folder holds at most
 * `maxBytes` of them (`keep` is removed last), and temporary files that a
 * killed process left more than an hour ago.
 */
export function enforceCap(dir: string, maxBytes: number, keep?: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  const entries: { path: string; size: number; used: number }[] = [];
  for (const name of names) {
    const path = join(dir, name);
    try {
      const stats = statSync(path);
      if (isTempFileName(name) && name.includes(SNAPSHOT_SUFFIX)) {
        if (Date.now() - stats.mtimeMs > 3600_000) rmSync(path, { force: true });
      } else if (name.endsWith(SNAPSHOT_SUFFIX) && stats.isFile()) {
        entries.push({ path, size: stats.size, used: path === keep ? Infinity : stats.mtimeMs });
      }
    } catch {
      // Removed by another process meanwhile.
    }
  }
  let total = entries.reduce((sum, e) => sum + e.size, 0);
  entries.sort((a, b) => a.used - b.used);
  for (const e of entries) {
    if (total <= maxBytes) break;
    rmSync(e.path, { force: true });
    total -= e.size;
  }
}
