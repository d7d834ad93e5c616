/**
 * What a call to a worker thread and its answer look like on the wire
 * (worker-client.ts sends, worker-serve.ts answers), and how a failure
 * crosses threads. Errors lose their class in postMessage's structured
 * clone: a df2 InputError or UsageError is sent by its fields and thrown
 * again as the same class on the calling side (one line, no stack, exit 1),
 * anything else by its name, message and stack.
 */
import { InputError, UsageError } from './errors.js';

/** A call: the caller's number for it and what it asks. */
export interface CallMessage<Request> {
  call: number;
  request: Request;
}

/** What a worker sends back for a call: its reply, its failure, or one of the events it reports on the way. */
export type AnswerMessage<Reply, Event> = { call: number; reply: Reply } | { call: number; error: SerializedError } | { call: number; event: Event };

/** A failure as it crosses threads. */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  /** An InputError's (or UsageError's) fields, to build the same error again. */
  input?: { file: string; entry: string; expected: string; found: string | undefined };
}

/**
 * The failure as plain data, for postMessage.
 *
 * @example
 * port.postMessage({ call, error: serializeError(err) });
 */
export function serializeError(err: unknown): SerializedError {
  if (err instanceof InputError) {
    return { name: err.name, message: err.message, input: { file: err.file, entry: err.entry, expected: err.expected, found: err.found } };
  }
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack };
  return { name: 'Error', message: String(err) };
}

/** Built-in classes a failure is thrown again as, by name (a RangeError stays a RangeError). */
const BUILT_IN: Record<string, new (message: string) => Error> = { RangeError, TypeError, SyntaxError, ReferenceError, EvalError, URIError };

/**
 * The error again, on the receiving side: an InputError or a UsageError as
 * that class (a subclass of InputError defined elsewhere as an InputError
 * with the same line), a built-in error as its class, anything else as an
 * Error with the original name, message and stack.
 *
 * @example
 * if ('error' in answer) pending.reject(deserializeError(answer.error));
 */
export function deserializeError(sent: SerializedError): Error {
  if (sent.input) {
    const { file, entry, expected, found } = sent.input;
    return sent.name === 'UsageError' ? new UsageError(file, entry, expected, found) : new InputError(file, entry, expected, found);
  }
  const Class = BUILT_IN[sent.name] ?? Error;
  const err = new Class(sent.message);
  if (err.name !== sent.name) err.name = sent.name;
  if (sent.stack !== undefined) err.stack = sent.stack;
  return err;
}

/**
 * Every distinct ArrayBuffer under a value (typed arrays in objects, arrays
 * and maps), to move rather than copy; shared buffers are shared anyway, and
 * left out.
 *
 * @example
 * port.postMessage(message, transferablesOf(message));
 */
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
