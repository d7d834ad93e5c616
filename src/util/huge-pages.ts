/**
 * Transparent huge pages for a df2 process's large typed arrays.
 *
 * An evaluation writes hundreds of megabytes of typed arrays (mask runs,
 * landmark windows, the snapshot it reads), and the kernel backs each 4 KB
 * page on its first write: on a virtual machine that fault costs some 10-13
 * µs, so that a repeated segm evaluation spent a third of its CPU time having
 * pages handed out (docs/performance.md). With 2 MB pages it is about 20 times
 * cheaper per byte. Linux gives them to memory that asks for them
 * (`madvise(MADV_HUGEPAGE)`) when its mode is `madvise`, the default of
 * Debian and Ubuntu; glibc 2.35 and later asks for them for its large
 * allocations, which are where Node.js puts typed arrays, when the process
 * starts with `GLIBC_TUNABLES=glibc.malloc.hugetlb=1`. In mode `always` every
 * large mapping already gets them, in mode `never` none does, and musl ignores
 * the variable: the setting is added only where it changes something.
 */
import { readFileSync } from 'node:fs';

/** The glibc tunable that makes malloc ask for transparent huge pages. */
export const HUGE_PAGES_TUNABLE = 'glibc.malloc.hugetlb=1';

/** What decides whether the tunable helps, as read from this machine (see {@link hostFacts}). */
export interface HugePageFacts {
  platform: NodeJS.Platform;
  /** The selected mode of /sys/kernel/mm/transparent_hugepage/enabled (`always`, `madvise`, `never`), if readable. */
  thpMode: string | undefined;
  /** The C library's version when it is glibc (e.g. `2.36`), else undefined. */
  glibcVersion: string | undefined;
}

/** The bracketed word of a /sys/kernel/mm/transparent_hugepage/enabled line (`always [madvise] never` gives `madvise`). */
export function selectedThpMode(line: string): string | undefined {
  return /\[(\w+)\]/.exec(line)?.[1];
}

/** This machine's facts; reading them costs a few milliseconds (the glibc version comes from a process report). */
export function hostFacts(): HugePageFacts {
  let thpMode: string | undefined;
  try {
    thpMode = selectedThpMode(readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8'));
  } catch {
    thpMode = undefined;
  }
  let glibcVersion: string | undefined;
  if (process.platform === 'linux' && thpMode === 'madvise') {
    const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
    glibcVersion = header?.glibcVersionRuntime;
  }
  return { platform: process.platform, thpMode, glibcVersion };
}

/** Whether glibc `version` (`major.minor`) reads the tunable: 2.35 and later. */
function glibcReadsTunable(version: string | undefined): boolean {
  const match = version === undefined ? null : /^(\d+)\.(\d+)/.exec(version);
  if (!match) return false;
  const [major, minor] = [Number(match[1]), Number(match[2])];
  return major > 2 || (major === 2 && minor >= 35);
}

/** Whether `GLIBC_TUNABLES` in `env` already says how malloc uses huge pages (the user's choice, which df2 leaves alone). */
export function userSetsHugePages(env: NodeJS.ProcessEnv): boolean {
  return /(^|:)glibc\.malloc\.hugetlb=/.test(env.GLIBC_TUNABLES ?? '');
}

/**
 * The environment for a new df2 process with the tunable added, or
 * undefined when it would change nothing: not Linux with glibc 2.35+ and mode
 * `madvise`, the environment already sets `glibc.malloc.hugetlb` (the
 * user's choice stands), or `DF2_HUGE_PAGES=0` turns it off. Other tunables
 * already set are kept.
 *
 * @example
 * withHugePages({ PATH: '/usr/bin' }, { platform: 'linux', thpMode: 'madvise', glibcVersion: '2.36' });
 * // { PATH: '/usr/bin', GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1' }
 * withHugePages({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' }, facts)?.GLIBC_TUNABLES;
 * // 'glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1'
 */
export function withHugePages(env: NodeJS.ProcessEnv, facts: HugePageFacts): NodeJS.ProcessEnv | undefined {
  if (env.DF2_HUGE_PAGES === '0') return undefined;
  if (facts.platform !== 'linux' || facts.thpMode !== 'madvise' || !glibcReadsTunable(facts.glibcVersion)) return undefined;
  if (userSetsHugePages(env)) return undefined;
  const tunables = env.GLIBC_TUNABLES ?? '';
  return { ...env, GLIBC_TUNABLES: tunables === '' ? HUGE_PAGES_TUNABLE : `${tunables}:${HUGE_PAGES_TUNABLE}` };
}
