/**
 * A train-sized split made cheaply for the explorer's benchmark: a small
 * `df2 synth` split repeated to 191,961 annotation files (the release's
 * train size). Each copy of an annotation gets its own pair_id range, so
 * pairs stay as small as in the source; images are hard links to the
 * source's JPEGs. Made once under bench-data/ and reused.
 *
 * Copies of the same annotation fall in the same class of images (same
 * source, same item codes: image-classes.ts), so the plain split has only
 * the source's 1,536 classes, which flatters the explorer's totals and facet
 * counts (they loop over classes). The `varied` split re-draws every
 * item's scale, occlusion, zoom-in and viewpoint in each copy (uniformly,
 * seeded), which leaves nearly one class per image: the worst case, far
 * more than a real split's skewed attributes give.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { link, mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { imageName } from '../schema/index.js';
import { REPO_ROOT } from '../testing/paths.js';
import { Random } from '../util/random.js';

/** Images of the release's train split. */
export const TRAIN_IMAGES = 191_961;

/**
 * Makes (once) `bench-data/train-like-N` (or `train-like-N-varied`) from `bench-data/synth-S` and returns its directory.
 *
 * @example
 *   const dir = await ensureTrainLikeSplit(TRAIN_IMAGES, 2000);
 *   const worst = await ensureTrainLikeSplit(TRAIN_IMAGES, 2000, { varied: true });
 */
export async function ensureTrainLikeSplit(images: number, sourceImages: number, options: { varied?: boolean } = {}): Promise<string> {
  const source = join(REPO_ROOT, 'bench-data', `synth-${sourceImages}`);
  const dir = join(REPO_ROOT, 'bench-data', `train-like-${images}${options.varied ? '-varied' : ''}`);
  if (existsSync(join(dir, 'annos'))) return dir;
  if (!existsSync(join(source, 'annos'))) {
    process.stderr.write(`making ${source} (once)\n`);
    const run = spawnSync(
      process.execPath,
      [join(REPO_ROOT, 'bin', 'df2.js'), 'synth', '--out', source, '--images', String(sourceImages), '--seed', '3', '--json'],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    if (run.status !== 0) throw new Error(`df2 synth failed (exit ${run.status})`);
  }
  process.stderr.write(`making ${dir} (once)\n`);
  const texts: string[] = [];
  let maxPair = 0;
  for (let k = 1; k <= sourceImages; k++) {
    const text = await readFile(join(source, 'annos', `${imageName(k)}.json`), 'utf8');
    maxPair = Math.max(maxPair, (JSON.parse(text) as { pair_id: number }).pair_id);
    texts.push(text);
  }
  const tmp = `${dir}.tmp`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(join(tmp, 'annos'), { recursive: true });
  await mkdir(join(tmp, 'image'), { recursive: true });
  const sourceImagesDir = new Set(await readdir(join(source, 'image')));
  for (let id = 1; id <= images; id++) {
    const k = ((id - 1) % sourceImages) + 1;
    const copy = Math.floor((id - 1) / sourceImages);
    let text = texts[k - 1]!.replace(/"pair_id": ?(\d+)/, (_m, p: string) => `"pair_id": ${Number(p) + copy * (maxPair + 1)}`);
    if (options.varied && copy > 0) {
      const random = Random.from(7, id);
      text = text.replace(/"(scale|occlusion|zoom_in|viewpoint)": ?[123]/g, (_m, name: string) => `"${name}": ${random.int(1, 3)}`);
    }
    await writeFile(join(tmp, 'annos', `${imageName(id)}.json`), text);
    const jpg = `${imageName(k)}.jpg`;
    if (sourceImagesDir.has(jpg)) await link(join(source, 'image', jpg), join(tmp, 'image', `${imageName(id)}.jpg`));
  }
  await rename(tmp, dir);
  return dir;
}
