/**
 * `df2 convert coco|retrieval|yolo`: a split in the formats that evaluation
 * and training tools read. Each subcommand streams the split and writes its
 * output only when complete.
 */
import { Option, type Command } from 'commander';
import { writeCocoFile } from '../convert/index.js';
import { writeCocoImageInfo } from '../convert/internal.js';
import { writeRetrievalFiles } from '../convert/index.js';
import { YOLO_TASKS, type YoloTask } from '../convert/index.js';
import { YOLO_SPLITS, writeYoloDataset, yoloSplitForDir, type YoloSplit } from '../convert/index.js';
import { InputError } from '../util/errors.js';
import { refuseOutputsThatAreInputs } from './output-check.js';
import { readSplitImagesWithProgress, readSplitWithProgress, seconds } from './split-input.js';
import { isImagesOnlySplit } from '../dataset/index.js';

export function registerConvert(program: Command): void {
  const convert = program
    .command('convert')
    .description('convert a split to COCO ground truth, retrieval query/gallery files, or a YOLO dataset')
    .addHelpText(
      'after',
      `
Examples:
  $ df2 convert coco data/validation --out val-coco.json --attributes
  $ df2 convert retrieval data/validation --query val_query.json --gallery val_gallery.json
  $ df2 convert yolo data/train --out df2-yolo --task pose`,
    );
  registerCoco(convert);
  registerRetrieval(convert);
  registerYolo(convert);
}

function registerCoco(convert: Command): void {
  convert
    .command('coco')
    .description("COCO ground truth, as the release's deepfashion2_to_coco.py writes it (what df2 eval reads)")
    .argument('<dir>', 'split directory holding annos/ and image/')
    .requiredOption('--out <file>', 'COCO JSON file to write')
    .addOption(new Option('--landmarks <which>', 'landmarks to keep: all, or only visible (v = 2)').choices(['all', 'visible']).default('all'))
    .option('--attributes', 'add scale, occlusion, zoom_in and viewpoint to every annotation')
    .option('--json', 'print {out, images, annotations} as JSON (no progress bar)')
    .addHelpText(
      'after',
      `
Image sizes come from the JPEG headers, so image/ must be there. A split of
images only (the test split: image/ without annos/) gives its image-info file:
COCO images with ids and sizes, and categories, without annotations (as COCO's
test-dev image info), which detectors read to run on it.
Annotation ids count up over the split in image order and, inside a file,
in the file's key order; area is the box's w * h, as in the release.

Examples:
  $ df2 convert coco data/validation --out validation-coco.json
  $ df2 convert coco data/validation --out gt-visible.json --landmarks visible
  $ df2 convert coco data/validation --out gt-attributes.json --attributes`,
    )
    .action(async (dir: string, options: { out: string; landmarks: 'all' | 'visible'; attributes?: boolean; json?: boolean }) => {
      refuseOutputsThatAreInputs('convert coco', { splits: [dir], outputs: [['--out', options.out]] });
      const start = performance.now();
      if (await isImagesOnlySplit(dir)) {
        const images = readSplitImagesWithProgress(dir, { label: 'writing COCO image info', quiet: options.json });
        const summary = await writeCocoImageInfo(images, options.out);
        if (options.json) process.stdout.write(`${JSON.stringify({ out: options.out, ...summary })}\n`);
        else process.stdout.write(`${options.out}: ${summary.images} images, image info only (the split has no annos/) (${seconds(start)})\n`);
        return;
      }
      const records = readSplitWithProgress(dir, { label: 'converting to COCO', quiet: options.json, imageSizes: true });
      const summary = await writeCocoFile(records, options.out, { landmarks: options.landmarks, attributes: options.attributes === true });
      if (options.json) process.stdout.write(`${JSON.stringify({ out: options.out, ...summary })}\n`);
      else process.stdout.write(`${options.out}: ${summary.images} images, ${summary.annotations} annotations (${seconds(start)})\n`);
    });
}

function registerRetrieval(convert: Command): void {
  convert
    .command('retrieval')
    .description('retrieval ground truth: every user item as a query, every shop item as a gallery item')
    .argument('<dir>', 'split directory holding annos/')
    .requiredOption('--query <file>', 'query JSON file to write ({query_image_id, style, cls, pair_id, bbox} per user item)')
    .requiredOption('--gallery <file>', 'gallery JSON file to write ({gallery_image_id, style, pair_id, bbox} per shop item)')
    .option('--attributes', 'add scale, occlusion, zoom_in and viewpoint to every query (gallery entries stay as they are)')
    .option('--json', 'print the counts as JSON (no progress bar)')
    .addHelpText(
      'after',
      `
The files have the layout of the release's val_query.json and val_gallery.json
(boxes as [x1, y1, x2, y2]); items with style 0 are listed too.

Examples:
  $ df2 convert retrieval data/validation --query query.json --gallery gallery.json
  $ df2 convert retrieval data/validation --query query-attributes.json --gallery gallery.json --attributes`,
    )
    .action(async (dir: string, options: { query: string; gallery: string; attributes?: boolean; json?: boolean }) => {
      refuseOutputsThatAreInputs('convert retrieval', {
        splits: [dir],
        outputs: [
          ['--query', options.query],
          ['--gallery', options.gallery],
        ],
      });
      const start = performance.now();
      const records = readSplitWithProgress(dir, { label: 'writing retrieval files', quiet: options.json });
      const summary = await writeRetrievalFiles(records, { query: options.query, gallery: options.gallery }, { attributes: options.attributes === true });
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ query: options.query, gallery: options.gallery, ...summary })}\n`);
      } else {
        process.stdout.write(`${options.query}: ${summary.queries} queries from ${summary.queryImages} user images\n`);
        process.stdout.write(`${options.gallery}: ${summary.galleryItems} gallery items from ${summary.galleryImages} shop images (${seconds(start)})\n`);
      }
    });
}

function registerYolo(convert: Command): void {
  convert
    .command('yolo')
    .description('an Ultralytics YOLO dataset (images/, labels/, data.yaml) for detect, segment or pose')
    .argument('<dir>', 'split directory holding annos/ and image/')
    .requiredOption('--out <outdir>', 'dataset folder to write into (several splits can share it)')
    .addOption(new Option('--task <task>', 'label format').choices([...YOLO_TASKS]).makeOptionMandatory())
    .addOption(new Option('--split <name>', 'split name in the dataset (default: from DIR: train, validation -> val, test)').choices([...YOLO_SPLITS]))
    .option('--copy', 'copy the images instead of symlinking them')
    .option('--json', 'print the counts as JSON (no progress bar)')
    .addHelpText(
      'after',
      `
Writes OUTDIR/images/<split>/NNNNNN.jpg (symlinks, or copies with --copy),
OUTDIR/labels/<split>/NNNNNN.txt and OUTDIR/data.yaml. Classes are
category_id - 1 with the COCO names. segment joins an item's polygons into
one; pose writes all 294 landmarks per item (kpt_shape [294, 3], flip_idx).
Convert each split into the same OUTDIR with the same --task.

Examples:
  $ df2 convert yolo data/train --out df2-yolo --task detect
  $ df2 convert yolo data/validation --out df2-yolo --task detect
  $ yolo detect train data=df2-yolo/data.yaml model=yolov8n.pt`,
    )
    .action(async (dir: string, options: { out: string; task: YoloTask; split?: YoloSplit; copy?: boolean; json?: boolean }) => {
      refuseOutputsThatAreInputs('convert yolo', { splits: [dir], outputs: [['--out', options.out]] });
      const start = performance.now();
      const split = options.split ?? yoloSplitForDir(dir);
      if (!split) throw new InputError(dir, '', 'a split folder named train, validation or test (or --split train|val|test)', 'another name');
      const records = readSplitWithProgress(dir, { label: `writing YOLO ${options.task}`, quiet: options.json, imageSizes: true });
      const summary = await writeYoloDataset(records, { outDir: options.out, split, task: options.task, copy: options.copy === true });
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ out: options.out, split, task: options.task, ...summary })}\n`);
      } else {
        const skipped = summary.skipped > 0 ? `, ${summary.skipped} items with an empty box left out` : '';
        process.stdout.write(
          `${options.out}: ${split}: ${summary.images} images, ${summary.labels} labels${skipped}; ${summary.dataYaml} (${seconds(start)})\n`,
        );
      }
    });
}
