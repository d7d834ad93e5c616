/** Messages between the loading worker (load-worker.ts) and the thread that started it (load-worker-client.ts); the error messages serve the evaluation worker too. */
import { InputError } from '../../util/errors.js';
import type { MaskPart, SegmentationBatch } from './gt-masks.js';
import type { CocoTask } from './params.js';

export interface LoadJob {
  kind: 'ground-truth' | 'results';
  file: string;
  tasks: readonly CocoTask[];
  /** Ground truth with segm: the shared claim flags of the segmentation batches (see gt-masks.ts). */
  claims?: Int32Array;
  /** Ground truth: also hash the file's bytes (for the snapshot cache). */
  hashContent?: boolean;
}

export type WorkerMessage =
  | { type: 'progress'; done: number; total: number }
  /** A batch of ground-truth segmentations ready to be rasterized (while the file is still being read). */
  | { type: 'segm-batch'; batch: SegmentationBatch }
  /** The data (ground truth with segm: without masks; the worker goes on rasterizing unclaimed batches). */
  | { type: 'done'; data: unknown }
  /** The masks the worker made (after 'done'). */
  | { type: 'masks'; part: MaskPart }
  | ErrorMessage;

/**
 * A failure as it crosses threads (errors do not keep their class): an
 * InputError by its fields, to be rethrown as one (one line, no stack),
 * anything else by its message and stack.
 */
export type ErrorMessage =
  { type: 'input-error'; file: string; entry: string; expected: string; found: string | undefined } | { type: 'error'; message: string; stack: string };

export function errorToMessage(err: unknown): ErrorMessage {
  if (err instanceof InputError) return { type: 'input-error', file: err.file, entry: err.entry, expected: err.expected, found: err.found };
  const e = err instanceof Error ? err : new Error(String(err));
  return { type: 'error', message: e.message, stack: e.stack ?? '' };
}

export function errorFromMessage(message: ErrorMessage): Error {
  if (message.type === 'input-error') return new InputError(message.file, message.entry, message.expected, message.found);
  const err = new Error(message.message);
  err.stack = message.stack;
  return err;
}

/** Every distinct ArrayBuffer under a value (typed arrays in objects, arrays and maps); shared buffers are shared, not moved. */
export function transferablesOf(value: unknown): ArrayBuffer[] {
  const found = new Set<ArrayBuffer>();
  const visit = (v: unknown): void => {
    if (ArrayBuffer.isView(v)) {
      if (v.buffer instanceof ArrayBuffer && v.buffer.byteLength > 0) found.add(v.buffer);
    } else if (Array.isArray(v)) {
      for (const item of v) if (typeof item === 'object' && item !== null) visit(item);
    } else if (v instanceof Map) {
      for (const item of v.values()) visit(item);
    } else if (typeof v === 'object' && v !== null) {
      for (const item of Object.values(v)) visit(item);
    }
  };
  visit(value);
  return [...found];
}
