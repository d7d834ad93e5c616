/**
 * Streams a file whose top level must be a JSON array, validating each element
 * as it arrives: big result files never sit in memory as one string or one
 * parsed tree. An array already in memory is checked the same way.
 */
import { type JsonSource, jsonSourceName, readJsonElements } from '../../json/source.js';
import { InputError } from '../../util/errors.js';

export interface ReadArrayOptions {
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

/** Calls `onItem(parse(element, file, index), index)` for each element; returns the element count. */
export async function readArrayFile<T>(
  source: JsonSource,
  what: string,
  parse: (value: unknown, file: string, index: number) => T,
  onItem: (item: T, index: number) => void,
  options: ReadArrayOptions = {},
): Promise<number> {
  const file = jsonSourceName(source);
  let count = 0;
  const summary = await readJsonElements(source, {
    onElement(key, index, value) {
      if (key !== null) throw new InputError(file, '', `a JSON array of ${what}`, 'an object');
      onItem(parse(value, file, index), index);
      count++;
    },
    onProgress: options.onProgress,
  });
  if (summary.topLevel !== 'array') throw new InputError(file, '', `a JSON array of ${what}`, 'an object');
  return count;
}
