/**
 * Settings shared by the property suites (`*.property.test.ts`): how many
 * cases each property runs and from which seed.
 *
 * `npm test` runs every property with a fixed seed and the count its file
 * gives (chosen so that the whole property suite stays well under a minute
 * on a small machine); `npm run fuzz -- --runs N --seed S` sets
 * DF2_FUZZ_RUNS and DF2_FUZZ_SEED for a long run. A failure throws
 * fast-check's report: the seed, the path to replay it and the shrunk
 * counterexample, which node's test runner prints whole.
 */
import fc from 'fast-check';

/** The number of cases of every property in a long run (`npm run fuzz -- --runs N`). */
const FUZZ_RUNS_ENV = 'DF2_FUZZ_RUNS';
/** The seed of every property (`npm run fuzz -- --seed S`). */
const FUZZ_SEED_ENV = 'DF2_FUZZ_SEED';
/** The seed of `npm test`: fixed, so that CI sees the same cases on every run. */
const CI_SEED = 26;

/** The run count and seed of this process: the environment's, or CI's defaults. */
function fuzzSettings(ciRuns: number): { numRuns: number; seed: number; long: boolean } {
  const runs = readInteger(FUZZ_RUNS_ENV);
  const seed = readInteger(FUZZ_SEED_ENV);
  return { numRuns: runs ?? ciRuns, seed: seed ?? CI_SEED, long: runs !== undefined };
}

function readInteger(name: string): number | undefined {
  const text = process.env[name];
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  // A typo must not silently fall back to CI's count: the run would look like a soak and be one of 100 cases.
  if (!Number.isSafeInteger(value)) throw new Error(`${name} must be an integer, found ${JSON.stringify(text)}`);
  return value;
}

/**
 * The time limit of a property suite: `ciLimitMs` under `npm test` (a hang
 * fails the run), none in a long run (its length is the user's choice).
 */
export function fuzzTimeout(ciLimitMs = 600_000): number {
  return fuzzSettings(0).long ? Infinity : ciLimitMs;
}

/**
 * fast-check's parameters for one property: `ciRuns` cases under `npm test`,
 * DF2_FUZZ_RUNS in a long run (a property may scale it down with `share`
 * when each of its cases is much dearer than a file's check, e.g. a whole
 * evaluation), and the seed. A failure's report holds the seed, the path
 * to replay it, the shrunk counterexample and the error it raised (node's
 * test runner prints the message, not an error's cause).
 */
function fuzzParameters<T>(ciRuns: number, share = 1): fc.Parameters<T> {
  const { numRuns, seed, long } = fuzzSettings(ciRuns);
  const runs = long ? Math.max(1, Math.round(numRuns * share)) : numRuns;
  return { numRuns: runs, seed, includeErrorInReport: true, plugins: long ? [progress<T>(runs)] : [] };
}

/**
 * A long run's progress on stderr, at every twentieth of its cases: the
 * count a soak reached stays in its log when it is stopped before the end.
 * Counts every run of the predicate, a failure's shrinking included, but
 * not a case that fc.pre skips (fast-check draws another in its place).
 */
function progress<T>(runs: number): fc.Plugin<T> {
  return () => {
    const started = Date.now();
    const every = Math.max(1, Math.ceil(runs / 20));
    let done = 0;
    const tick = (): void => {
      if (++done % every === 0) process.stderr.write(`fuzz: ${done} of ${runs} cases, ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
    };
    const counted = <R>(result: R): R => {
      if (!fc.PreconditionFailure.isFailure(result)) tick();
      return result;
    };
    return {
      decorateRun: (run) => (value) => {
        const outcome = run(value);
        return (outcome instanceof Promise ? outcome.then(counted) : counted(outcome)) as typeof outcome;
      },
    };
  };
}

/**
 * Checks a property as `fc.assert` does, with the run count and seed of
 * this process (fuzzParameters).
 *
 * @example
 * await checkProperty(fc.property(fc.string(), (s) => s.length >= 0), 100);
 */
export async function checkProperty<T>(property: fc.IProperty<T> | fc.IAsyncProperty<T>, ciRuns: number, share = 1): Promise<void> {
  if (property.isAsync()) await fc.assert(property as fc.IAsyncProperty<T>, fuzzParameters<T>(ciRuns, share));
  else fc.assert(property as fc.IProperty<T>, fuzzParameters<T>(ciRuns, share));
}
