/** Paths used by tests: the repository root, the shared fixtures beside it, temporary folders and what is in them. */
import { fileURLToPath } from 'node:url';
import { dirname, resolve, join, relative } from 'node:path';
import { existsSync, rmSync } from 'node:fs';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';

/** The repository root (this file is compiled to dist/testing/paths.js). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/**
 * The repository's own copy of the golden fixtures and reference data, so a clone anywhere runs
 * its tests. `fixtures/golden` is a byte-equal copy of `../shared/golden`; `fixtures.test.ts`
 * checks that whenever `../shared` is present beside the clone.
 */
const FIXTURES_DIR = join(REPO_ROOT, 'fixtures');
/** `../shared` beside the repository, where the project's source of the fixtures lives (may be absent). */
export const SHARED_DIR = resolve(REPO_ROOT, '../shared');
export const GOLDEN_DIR = join(FIXTURES_DIR, 'golden');
export const GOLDEN_FIXTURES = ['basic', 'quirks'] as const;
export type GoldenFixture = (typeof GOLDEN_FIXTURES)[number];
export const goldenPath = (fixture: GoldenFixture, ...parts: string[]): string => join(GOLDEN_DIR, fixture, ...parts);
/**
 * The COCO evaluations golden.json holds per fixture: its name there, the task, and the ground-truth file
 * (keypoints_visible is the keypoints task against the visible-only ground truth).
 */
export const GOLDEN_COCO_RUNS: readonly (readonly [name: string, task: 'bbox' | 'segm' | 'keypoints', gtFile: string])[] = [
  ['bbox', 'bbox', 'coco.json'],
  ['segm', 'segm', 'coco.json'],
  ['keypoints', 'keypoints', 'coco.json'],
  ['keypoints_visible', 'keypoints', 'coco-visible.json'],
];
export const REFERENCE_DIR = join(FIXTURES_DIR, 'reference');
export const RELEASE_SAMPLE_DIR = join(REFERENCE_DIR, 'release-sample');

/** The temporary directories this test process made: removed when it exits, pass or fail. */
const madeDirs: string[] = [];
process.once('exit', () => {
  for (const dir of madeDirs) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary directory for one test, removed when the test process exits. */
export async function tempDir(prefix = 'df2-test-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  madeDirs.push(dir);
  return dir;
}

/** Every file under `dir` (none when it does not exist), relative to it, sorted: what a command wrote, or left behind. */
export async function filesUnder(dir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      if (entry.isDirectory()) await walk(join(d, entry.name));
      else found.push(relative(dir, join(d, entry.name)));
    }
  };
  if (existsSync(dir)) await walk(dir);
  return found.sort();
}
