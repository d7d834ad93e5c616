/**
 * Worker thread of the paint pool: paints and encodes the JPEG of each job
 * it is sent, writes it where the job says and replies with its size, so that
 * JPEG encoding (most of the work of `df2 synth`) runs beside the main thread.
 */
import { writeFileSync } from 'node:fs';
import { serveCalls } from '../util/worker-serve.js';
import { paintJpeg, type PaintJob } from './painter.js';

serveCalls((job: PaintJob): number => {
  const jpeg = paintJpeg(job);
  writeFileSync(job.file, jpeg);
  return jpeg.length;
});
