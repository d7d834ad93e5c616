/**
 * A decoding thread of `df2 import`: it decodes and writes the batches of
 * consecutive entries it is sent (batch-decoder.ts), one at a time.
 *
 * The release's zips hold hundreds of thousands of small entries, and on
 * each the cipher (a serial chain of table look-ups per byte), inflate, and
 * the file system's create and rename cost about as much as each other; two
 * of these threads run the lot on both cores while the main thread only
 * walks the directory and validates.
 */
import { workerData } from 'node:worker_threads';
import { serveCalls } from '../../util/worker-serve.js';
import { BatchDecoder } from './batch-decoder.js';
import type { DecodeReply, DecodeRequest, DecodeWorkerData } from './decode-protocol.js';

const { password, stop } = workerData as DecodeWorkerData;
const decoder = new BatchDecoder(password, stop);

serveCalls((message: DecodeRequest): DecodeReply => {
  if (message !== 'close') return decoder.decode(message);
  decoder.close();
  return 'closed';
});
