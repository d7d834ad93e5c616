/**
 * The benchmarks' case: a synthetic split of N images (33,669: the release's
 * validation size) with predictions, its COCO ground truth (plain and with
 * attributes) and its retrieval files, made once in bench-data/ (gitignored).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../testing/paths.js';

export const DF2_BIN = join(REPO_ROOT, 'bin', 'df2.js');

function df2(args: string[]): void {
  const run = spawnSync(process.execPath, [DF2_BIN, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (run.status !== 0) throw new Error(`df2 ${args.join(' ')} failed (exit ${run.status})`);
}

/** Makes (once) the synthetic split, its predictions and its ground truth; returns its directory. */
export function ensureCase(images: number): string {
  const dir = join(REPO_ROOT, 'bench-data', `val-${images}`);
  if (!existsSync(join(dir, 'results', 'keypoints_results.json'))) {
    process.stderr.write(`making the case in ${dir} (once; several minutes at validation size)\n`);
    df2(['synth', '--out', dir, '--images', String(images), '--seed', '1', '--predictions', '--force', '--json']);
  }
  for (const [name, extra] of [
    ['coco.json', []],
    ['coco-attributes.json', ['--attributes']],
  ] as const) {
    if (!existsSync(join(dir, 'gt', name))) df2(['convert', 'coco', dir, '--out', join(dir, 'gt', name), ...extra, '--json']);
  }
  if (!existsSync(join(dir, 'gt', 'query.json'))) {
    df2(['convert', 'retrieval', dir, '--query', join(dir, 'gt', 'query.json'), '--gallery', join(dir, 'gt', 'gallery.json'), '--attributes', '--json']);
  }
  return dir;
}
