/**
 * The writer thread of `df2 import`: writes batches of finished files, each
 * to its temporary name and then renamed onto its real name, with plain
 * synchronous system calls. One message per batch replaces the four
 * thread-pool round trips per file (open, write, close, rename) that the
 * asynchronous API costs, and the writing runs beside the decoding on the
 * second core.
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';

export interface WriteBatch {
  id: number;
  files: { target: string; tmp: string; content: Uint8Array }[];
}

export type WriteReply = { id: number; ok: true } | { id: number; ok: false; target: string; message: string };

parentPort?.on('message', (batch: WriteBatch) => {
  for (const file of batch.files) {
    try {
      writeFileSync(file.tmp, file.content);
      renameSync(file.tmp, file.target);
    } catch (err) {
      rmSync(file.tmp, { force: true });
      parentPort!.postMessage({ id: batch.id, ok: false, target: file.target, message: (err as Error).message } satisfies WriteReply);
      return;
    }
  }
  parentPort!.postMessage({ id: batch.id, ok: true } satisfies WriteReply);
});
