/**
 * A promise whose failure is deliberately not reported: the call site says
 * why (the failure is reported another way, or there is nothing left to do
 * about it, as with closing a file after an error). A named helper rather
 * than a bare `.catch(() => {})`, so that each such place states its reason
 * and can be found; with DF2_DEBUG=1 the ignored failure is printed.
 */

/**
 * Resolves when `promise` settles, whatever its outcome; `why` says why its failure may be ignored.
 *
 * @example
 * await ignoreRejection(file.close(), 'the error that made us close it is the one reported');
 */
export function ignoreRejection(promise: Promise<unknown>, why: string): Promise<void> {
  return promise.then(
    () => undefined,
    (err: unknown) => {
      if (process.env.DF2_DEBUG === '1') console.error(`df2: ignored (${why}):`, err);
    },
  );
}
