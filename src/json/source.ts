/**
 * A JSON document read element by element: a file, streamed whatever its
 * size, or a value a program already holds in memory (the library's
 * `evaluateCocoObjects` takes ground truth and results as objects). Both hand the
 * same calls to the same handlers in the same order, so a value in memory is
 * checked and read exactly as the same JSON written to a file would be.
 */
import { InputError, describe } from '../util/errors.js';
import { type JsonStreamHandlers, type JsonStreamSummary, streamJson } from './stream.js';

/** A value in memory, with the name that messages give it in place of a file name. */
export interface JsonValueSource {
  name: string;
  value: unknown;
}

/** A file path, or a value in memory. */
export type JsonSource = string | JsonValueSource;

/** The name messages give the source: the file's path or the value's name. */
export function jsonSourceName(source: JsonSource): string {
  return typeof source === 'string' ? source : source.name;
}

/** streamJson for a file; for a value, the same walk over its top-level array, or the arrays under its top-level keys. */
export async function readJsonElements(source: JsonSource, handlers: JsonStreamHandlers): Promise<JsonStreamSummary> {
  if (typeof source === 'string') return streamJson(source, handlers);
  const { name, value } = source;
  const summary: JsonStreamSummary = { topLevel: 'array', keys: [], counts: new Map() };
  if (Array.isArray(value)) {
    // An index loop, not forEach: a hole in a sparse array is an element too (JSON writes it as null).
    for (let index = 0; index < value.length; index++) handlers.onElement(null, index, value[index] as unknown);
    summary.counts.set('', value.length);
  } else if (typeof value === 'object' && value !== null) {
    summary.topLevel = 'object';
    for (const [key, member] of Object.entries(value)) {
      summary.keys.push(key);
      if (Array.isArray(member)) {
        for (let index = 0; index < member.length; index++) handlers.onElement(key, index, member[index] as unknown);
        summary.counts.set(key, member.length);
      } else handlers.onValue?.(key, member);
    }
  } else throw new InputError(name, '', 'a JSON array or object', describe(value));
  return summary;
}
