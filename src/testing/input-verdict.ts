/**
 * The rule every df2 reader of user files keeps, as the property suites
 * check it: a file is either accepted, or refused with an InputError whose
 * message is one line (a line per problem, for readers that list them all)
 * naming the file, the entry and what was expected. Anything else thrown is
 * a crash, and is rethrown so that the property fails on it.
 */
import { InputError } from '../util/errors.js';

export type InputVerdict = { accepted: true } | { accepted: false; message: string };

/**
 * Runs `read` and checks how it ends: accepted, or refused naming one of `files` (the files it reads).
 *
 * @example
 * const verdict = await inputVerdict('results.json', () => loadResults('results.json'));
 */
export async function inputVerdict(files: string | readonly string[], read: () => unknown): Promise<InputVerdict> {
  const names = typeof files === 'string' ? [files] : files;
  try {
    await read();
    return { accepted: true };
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    for (const line of err.message.split('\n')) {
      if (!names.some((file) => line.startsWith(`${file}: `)) || !line.includes('expected ') || line.includes('\r')) {
        throw new Error(`not a line naming ${names.join(' or ')} and what was expected: ${JSON.stringify(line)}`, { cause: err });
      }
    }
    return { accepted: false, message: err.message };
  }
}
