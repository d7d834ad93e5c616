/** Worker-thread entry of the results reader's second half (results-tail.ts). */
import { serveCalls } from '../../util/worker-serve.js';
import type { FinishedResultColumns } from './results-fast.js';
import { type TailRequest, readResultsTail } from './results-tail.js';

serveCalls<TailRequest, FinishedResultColumns | null>((request) => readResultsTail(request));
