/**
 * `df2 render DIR IMAGE_ID...`: pictures of images with their annotations,
 * and with --results the predictions beside them, marked by the evaluation.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { PARTS, type Part } from '../render/index.js';
import type { PictureFormat } from '../render/pictures/render-images.js';
import { UsageError } from '../util/errors.js';
import { refuseOutputsThatAreInputs } from './output-check.js';
import { startProgress } from '../util/progress.js';

interface RenderCliOptions {
  results: string[];
  gt?: string;
  out: string;
  what: Part[];
  overlay?: boolean;
  format: PictureFormat;
  minScore: number;
  query?: string;
  gallery?: string;
  retrievalResults?: string;
  top: number;
  quiet?: boolean;
}

function parseImageId(value: string): number {
  const id = Number(value.replace(/\.(jpg|json)$/, ''));
  if (!/^\d+(\.(jpg|json))?$/.test(value) || !Number.isSafeInteger(id) || id < 1) {
    throw new InvalidArgumentError(`expected an image id such as 12 or 000012, found ${JSON.stringify(value)}`);
  }
  return id;
}

function parseParts(value: string): Part[] {
  const parts = value
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  for (const p of parts) {
    if (!(PARTS as readonly string[]).includes(p))
      throw new InvalidArgumentError(`expected a comma-separated list of ${PARTS.join(', ')}; found ${JSON.stringify(p)}`);
  }
  return parts as Part[];
}

function parseFormat(value: string): PictureFormat {
  if (value === 'png' || value === 'jpeg' || value === 'jpg') return value === 'jpg' ? 'jpeg' : value;
  throw new InvalidArgumentError('expected png or jpeg');
}

function parseScore(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError('expected a number');
  return n;
}

function parseTop(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 20) throw new InvalidArgumentError('expected an integer 1..20');
  return n;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerRender(program: Command): void {
  program
    .command('render')
    .description('draw images with their annotations, and predictions marked matched / missed / false positive')
    .argument('<dir>', 'split directory holding annos/ and image/')
    .argument('<image-ids...>', 'image ids (12 or 000012)', (v: string, prev: number[] = []) => [...prev, parseImageId(v)])
    .addOption(
      new Option('--results <file>', 'bbox, segm or keypoints results (COCO results format; the kind is read from the fields); repeatable')
        .argParser(collect)
        .default([], 'none'),
    )
    .option('--gt <coco.json>', 'COCO ground truth for evaluating the results (default: the chosen images converted on the fly)')
    .option('--out <dir>', 'output directory', 'render')
    .addOption(new Option('--what <parts>', `what to draw: comma-separated ${PARTS.join(',')}`).argParser(parseParts).default([...PARTS], 'all'))
    .option('--overlay', 'draw predictions over the ground truth (one panel) instead of beside it')
    .option('--format <format>', 'png or jpeg', parseFormat, 'png' as PictureFormat)
    .option('--min-score <score>', 'do not draw detections scoring below this (they are still evaluated)', parseScore, 0)
    .option('--query <file>', 'retrieval query ground truth: draw retrieval strips (with --gallery and --retrieval-results)')
    .option('--gallery <file>', 'retrieval gallery ground truth')
    .option('--retrieval-results <file>', 'retrieval results (top-20 shop items per detected query)')
    .option('--top <k>', 'retrieved items shown per query in a strip (1..20)', parseTop, 10)
    .option('--quiet', 'print nothing but errors')
    .addHelpText(
      'after',
      `
Pictures are written to --out as NNNNNN.png (ground truth only), NNNNNN-<kind>.png
(ground truth | predictions of one results file: twice the image width; one
image width with --overlay) and NNNNNN-retrieval.png (one strip per query item).

Boxes, masks, landmarks and labels take the colour of their category. Visible
landmarks are filled dots, occluded ones hollow circles, unlabelled ones are not
drawn; lines join them along the category's skeleton. With --results, a tag
before each label says what the evaluation made of the item at IoU 0.5 (OKS
0.5 for keypoints): ✓ matched (with its IoU / OKS), ✗ missed or false positive,
– ignored. The matching is the evaluation engine's, as in df2 eval.

Examples:
  $ df2 render data/validation 1 2 3 --out pictures
  $ df2 render data/validation 000012 --results bbox_results.json --gt val-coco.json
  $ df2 render data/validation 12 --results segm_results.json --overlay --what mask,labels --format jpeg
  $ df2 render data/validation 12 --query val_query.json --gallery val_gallery.json --retrieval-results retrieval.json --top 5`,
    )
    .action(async (dir: string, imageIds: number[], options: RenderCliOptions) => {
      const retrievalFiles = [options.query, options.gallery, options.retrievalResults];
      if (retrievalFiles.some((f) => f !== undefined) && !retrievalFiles.every((f) => f !== undefined)) {
        throw new UsageError('render', '--query/--gallery/--retrieval-results', 'all three retrieval files together', 'only some');
      }
      refuseOutputsThatAreInputs('render', {
        inputFiles: [options.gt, ...options.results, options.query, options.gallery, options.retrievalResults],
        splits: [dir],
        outputs: [['--out', options.out]],
      });
      // Loaded here, not at start-up: the drawing code brings the canvas library, which other commands do not need.
      const { renderImages } = await import('../render/pictures/render-images.js');
      const pictures = imageIds.length * (Math.max(1, options.results.length) + (options.query ? 1 : 0));
      const progress = startProgress({ label: 'rendering', total: pictures, quiet: options.quiet });
      let written: string[];
      try {
        written = await renderImages({
          dir,
          imageIds,
          outDir: options.out,
          parts: new Set(options.what),
          overlay: options.overlay === true,
          format: options.format,
          resultsFiles: options.results,
          ...(options.gt ? { gtFile: options.gt } : {}),
          minScore: options.minScore,
          ...(options.query ? { retrieval: { query: options.query, gallery: options.gallery!, results: options.retrievalResults!, topK: options.top } } : {}),
          onPicture: () => progress.increment(),
        });
      } finally {
        progress.stop();
      }
      if (!options.quiet) for (const file of written) process.stdout.write(`${file}\n`);
    });
}
