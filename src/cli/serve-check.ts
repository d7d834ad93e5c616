/**
 * What `df2 serve` checks before it does any work (demo data, database,
 * indexing, listening): the address it is to listen on, the split folders it
 * is to register, and the challenge ground truth it is to score against.
 * A problem is bad input, one line and exit 1; nothing is registered or
 * started.
 */
import { lookup } from 'node:dns/promises';
import { stat } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { loadCocoGroundTruth, retrieval } from '../eval/index.js';
import { availableTasks, GT_FILES } from '../server/challenge/tasks.js';
import type { Task } from '../server/challenge/types.js';
import { InputError } from '../util/errors.js';

const isDirectory = (path: string): Promise<boolean> =>
  stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );

/**
 * The --host must be an address or a name this machine resolves: a name that
 * looks like an IPv4 address must be one (999.1.1.1 is not).
 *
 * @example
 * await checkListenHost('127.0.0.1'); // resolves
 * await checkListenHost('999.1.1.1'); // throws InputError: 999.1.1.1: expected an IP address or host name (--host), ...
 */
export async function checkListenHost(host: string): Promise<void> {
  const expected = 'an IP address or host name of this machine (--host)';
  if (isIP(host) !== 0) return;
  if (/^[\d.]+$/.test(host) || host.includes(':')) throw new InputError(host, '', expected, 'not a valid address');
  await lookup(host).catch(() => {
    throw new InputError(host, '', expected, 'a name that does not resolve');
  });
}

/**
 * The challenge ground truth of --gt-dir: a folder with at least one task's
 * files, each read in full as an evaluation would read it, so that a corrupt
 * file is refused at start instead of failing every submission. Returns the
 * tasks it serves.
 *
 * @example
 * const tasks = await checkGroundTruthDir('gt/validation'); // ['bbox', 'segm', 'keypoints', 'retrieval']
 */
export async function checkGroundTruthDir(gtDir: string): Promise<Task[]> {
  const expected = `a folder of challenge ground truth (${[...new Set(Object.values(GT_FILES).flat())].join(', ')}) (--gt-dir)`;
  if (!(await isDirectory(gtDir))) throw new InputError(gtDir, '', expected, 'no such folder');
  const tasks = availableTasks(gtDir);
  if (tasks.length === 0) throw new InputError(gtDir, '', expected, 'none of these files');
  if (tasks.includes('bbox')) await loadCocoGroundTruth(join(gtDir, 'coco.json'), ['bbox', 'segm', 'keypoints']);
  if (tasks.includes('keypoints_visible')) await loadCocoGroundTruth(join(gtDir, 'coco-visible.json'), ['keypoints']);
  if (tasks.includes('retrieval')) {
    await retrieval.loadQueries(join(gtDir, 'query.json'));
    await retrieval.loadGallery(join(gtDir, 'gallery.json'));
  }
  return tasks;
}
