/**
 * Worker thread of the paint pool: paints and encodes the JPEGs it is sent
 * and writes them where the job says, so that JPEG encoding (most of the work
 * of `df2 synth`) runs beside the main thread.
 */
import { writeFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { paintJpeg, type PaintJob } from './painter.js';

export interface PaintRequest {
  seq: number;
  job: PaintJob;
}
export type PaintReply = { seq: number; bytes: number } | { seq: number; error: string };

const port = parentPort;
if (port) {
  port.on('message', ({ seq, job }: PaintRequest) => {
    try {
      const jpeg = paintJpeg(job);
      writeFileSync(job.file, jpeg);
      port.postMessage({ seq, bytes: jpeg.length } satisfies PaintReply);
    } catch (err) {
      port.postMessage({ seq, error: err instanceof Error ? err.message : String(err) } satisfies PaintReply);
    }
  });
}
