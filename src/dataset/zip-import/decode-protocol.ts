/**
 * What the main thread and the decoding threads of `df2 import` send each
 * other (decoder-pool.ts, decode-worker.ts).
 */
import type { ImageSize } from '../image-size.js';
import type { Problem } from '../../schema/index.js';
import type { EntryFacts, EntryFailure } from './entry-decode.js';

/** What the split check needs of a file: an annotation's text, an image's size, or nothing. */
export type SplitKind = 'annotation' | 'image' | undefined;

export interface DecodeItem extends EntryFacts {
  /** Offset of the local header. */
  offset: number;
  /** Bytes of the name in the central directory (the local header holds it again). */
  nameBytes: number;
  target: string;
  /** A file by this name was there before the run: skip it if it has the right size and CRC-32. */
  resume: boolean;
  kind: SplitKind;
}

export interface DecodeBatch {
  id: number;
  archive: string;
  items: DecodeItem[];
}

export interface ItemResult {
  skipped: boolean;
  text?: string;
  image?: ImageSize | Problem;
}

export interface BatchFailure {
  /** Index in the batch of the entry that failed. */
  index: number;
  /** 'write': the output could not be written (then `expected`/`found` describe the target). */
  failure: EntryFailure | 'write' | 'interrupted';
  expected: string;
  found: string;
}

export interface BatchReply {
  id: number;
  /** One per item decoded, in order, up to the failure if any. */
  results: ItemResult[];
  failure?: BatchFailure;
}

/** A batch to decode, or 'close': close the archives the thread holds open (it answers 'closed'). */
export type DecodeRequest = DecodeBatch | 'close';
export type DecodeReply = BatchReply | 'closed';

export interface DecodeWorkerData {
  password: Uint8Array | undefined;
  /**
   * Shared by the threads: [STOP] is set to 1 by the main thread on Ctrl-C
   * (a batch stops before its next entry); [FILES_LOCK] is held while a
   * thread creates and renames a file.
   */
  stop: Int32Array;
}

export const STOP = 0;
export const FILES_LOCK = 1;
export const SHARED_INTS = 2;
