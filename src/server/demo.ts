/**
 * The data of `df2 serve --demo`: a small synthetic split with predictions
 * (what `df2 synth` writes) and its ground truth (what `df2 convert coco` /
 * `retrieval` write), made once in the cache directory and reused
 * afterwards. The steps call the same library functions as those commands.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { synthesize } from '../synth/index.js';
import { convertSplitToCoco, convertSplitToRetrieval } from '../convert/index.js';

interface DemoData {
  splitDir: string;
  gtDir: string;
  /** results/{bbox,segm,keypoints}_results.json and retrieval/results.json of the imitation model. */
  resultsFiles: Record<'bbox' | 'segm' | 'keypoints' | 'retrieval', string>;
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
  await synthesize({ out: splitDir, images, seed, predictions: true });
  options.log?.('writing its ground truth (COCO and retrieval files)');
  await convertSplitToCoco(splitDir, join(gtDir, 'coco.json'), { attributes: true });
  await convertSplitToCoco(splitDir, join(gtDir, 'coco-visible.json'), { landmarks: 'visible', attributes: true });
  await convertSplitToRetrieval(splitDir, { query: join(gtDir, 'query.json'), gallery: join(gtDir, 'gallery.json') }, { attributes: true });
  await writeFile(marker, JSON.stringify({ images, seed, made: new Date().toISOString() }));
  return data;
}
