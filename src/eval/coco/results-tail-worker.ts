/** Worker-thread entry of the results reader's second half (results-tail.ts). */
import { serveCalls } from '../../util/worker-serve.js';
import { type TailReply, type TailRequest, readResultsTail } from './results-tail.js';

serveCalls<TailRequest, TailReply | null>((request) => readResultsTail(request));
