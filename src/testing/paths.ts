/** Paths used by tests: the repository root and the shared fixtures beside it. */
import { fileURLToPath } from 'node:url';
import { dirname, resolve, join } from 'node:path';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';

/** The repository root (this file is compiled to dist/testing/paths.js). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** ../shared beside the repository: golden fixtures and reference data (read-only). */
export const SHARED_DIR = resolve(REPO_ROOT, '../shared');
export const GOLDEN_DIR = join(SHARED_DIR, 'golden');
export const GOLDEN_FIXTURES = ['basic', 'quirks'] as const;
export type GoldenFixture = (typeof GOLDEN_FIXTURES)[number];
export const goldenPath = (fixture: GoldenFixture, ...parts: string[]): string => join(GOLDEN_DIR, fixture, ...parts);
export const RELEASE_SAMPLE_DIR = join(SHARED_DIR, 'reference', 'release-sample');

/** A fresh temporary directory for one test. */
export const tempDir = (prefix = 'df2-test-'): Promise<string> => mkdtemp(join(tmpdir(), prefix));
