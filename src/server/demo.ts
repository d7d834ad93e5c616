/**
 * The data of `df2 serve --demo`: a small synthetic split with predictions
 * (`df2 synth`) and its ground truth (`df2 convert coco` / `retrieval`),
 * made once in the cache directory and reused afterwards. The steps run as
 * df2 commands in child processes, exactly as a user would run them.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../util/errors.js';

const DF2_BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../bin/df2.js');

export interface DemoData {
  splitDir: string;
  gtDir: string;
  /** results/{bbox,segm,keypoints}_results.json and retrieval/results.json of the imitation model. */
  resultsFiles: Record<'bbox' | 'segm' | 'keypoints' | 'retrieval', string>;
}

function runDf2(args: string[]): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [DF2_BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolvePromise();
      else reject(new InputError(`df2 ${args[0]}`, '', 'the demo data step to succeed', `exit code ${code}: ${stderr.trim().split('\n').pop() ?? ''}`));
    });
  });
}

export async function ensureDemoData(cacheDir: string, options: { images?: number; seed?: number; log?: (line: string) => void } = {}): Promise<DemoData> {
  const root = join(cacheDir, 'demo');
  const splitDir = join(root, 'split');
  const gtDir = join(root, 'gt');
  const data: DemoData = {
    splitDir,
    gtDir,
    resultsFiles: {
      bbox: join(splitDir, 'results', 'bbox_results.json'),
      segm: join(splitDir, 'results', 'segm_results.json'),
      keypoints: join(splitDir, 'results', 'keypoints_results.json'),
      retrieval: join(splitDir, 'retrieval', 'results.json'),
    },
  };
  const marker = join(root, 'complete.json');
  if (existsSync(marker)) return data;

  const images = options.images ?? 60;
  const seed = options.seed ?? 2019;
  await rm(root, { recursive: true, force: true });
  await mkdir(gtDir, { recursive: true, mode: 0o700 });
  options.log?.(`making a synthetic split of ${images} images with predictions in ${root}`);
  await runDf2(['synth', '--out', splitDir, '--images', String(images), '--seed', String(seed), '--predictions']);
  options.log?.('writing its ground truth (COCO and retrieval files)');
  await runDf2(['convert', 'coco', splitDir, '--out', join(gtDir, 'coco.json'), '--attributes']);
  await runDf2(['convert', 'coco', splitDir, '--out', join(gtDir, 'coco-visible.json'), '--landmarks', 'visible', '--attributes']);
  await runDf2(['convert', 'retrieval', splitDir, '--query', join(gtDir, 'query.json'), '--gallery', join(gtDir, 'gallery.json'), '--attributes']);
  await writeFile(marker, JSON.stringify({ images, seed, made: new Date().toISOString() }));
  return data;
}
