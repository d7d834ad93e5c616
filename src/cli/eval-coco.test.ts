/**
 * `df2 eval bbox|segm|keypoints` end to end: output layout, JSON shape, and
 * one clear line (exit 1, no stack) for each kind of bad input.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { test } from 'node:test';
import { rleFromBox, rleToString } from '../mask/index.js';
import { runCli } from '../testing/cli.js';
import { goldenPath, tempDir } from '../testing/paths.js';
import { cocoGt, keypointVector, landmarksIn, writeJson } from '../eval/coco/tiny-cases.js';

const GT = cocoGt(
  [{ id: 1, width: 100, height: 80 }],
  [
    { image_id: 1, category_id: 1, bbox: [10, 10, 30, 30], occlusion: 1, scale: 2, zoom_in: 1, viewpoint: 2 },
    { image_id: 1, category_id: 2, bbox: [50, 20, 30, 40], occlusion: 2, scale: 2, zoom_in: 1, viewpoint: 2 },
  ],
);
const BOX = { image_id: 1, category_id: 1, bbox: [10, 10, 30, 30], score: 0.9 };

async function evalCli(
  task: string,
  results: unknown,
  gt: unknown = GT,
  extra: string[] = [],
): Promise<{ code: number; stdout: string; stderr: string; gtFile: string; resultsFile: string }> {
  const gtFile = await writeJson(gt, 'gt.json');
  const resultsFile = await writeJson(results, 'results.json');
  const out = await runCli(['eval', task, '--gt', gtFile, '--results', resultsFile, ...extra]);
  return { ...out, gtFile, resultsFile };
}

/** Exit 1 and exactly one line naming the file and entry. */
function assertBadInput(out: { code: number; stdout: string; stderr: string }, file: string, entry: string, words: RegExp): void {
  assert.equal(out.code, 1, out.stderr);
  assert.equal(out.stdout, '');
  const lines = out.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line, got: ${out.stderr}`);
  assert.ok(lines[0]!.startsWith(`df2: ${file}: ${entry}`), lines[0]);
  assert.match(lines[0]!, words);
}

test('prints the 12 summary lines, per-category AP and the attribute table', async () => {
  const gt = goldenPath('basic', 'gt', 'coco-attributes.json');
  const res = goldenPath('basic', 'results', 'bbox_results.json');
  const out = await runCli(['eval', 'bbox', '--gt', gt, '--results', res, '--by', 'occlusion', '--by', 'viewpoint']);
  assert.equal(out.code, 0, out.stderr);
  const lines = out.stdout.split('\n');
  assert.equal(lines[0], ' Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.441');
  assert.equal(lines[11], ' Average Recall     (AR) @[ IoU=0.50:0.95 | area= large | maxDets=100 ] = 0.534');
  assert.ok(
    lines.some((l) => /^\s+6\s+sling\s+-1\.000/.test(l)),
    'a category without ground truth',
  );
  assert.ok(lines.some((l) => /^\s+1\s+short_sleeved_shirt\s+0\.432$/.test(l)));
  const head = lines.findIndex((l) => l.includes('slight') && l.includes('side or back'));
  assert.ok(head > 0, 'value names of occlusion and viewpoint');
  assert.match(lines[head - 1]!, /occlusion.*viewpoint.*overall/);
  assert.match(lines[head + 1]!, /^AP\s+0\.379\s+0\.385\s+0\.462\s+0\.267\s+0\.456\s+0\.319\s+0\.441$/);
  assert.match(lines[head + 3]!, /^AP75\s/);
});

test('--json gives stats, per_category_ap and the breakdown', async () => {
  const gt = goldenPath('basic', 'gt', 'coco-attributes.json');
  const res = goldenPath('basic', 'results', 'keypoints_results.json');
  const out = await runCli(['eval', 'keypoints', '--gt', gt, '--results', res, '--json', '--by', 'scale']);
  assert.equal(out.code, 0, out.stderr);
  assert.equal(out.stderr, '');
  const json = JSON.parse(out.stdout);
  const golden = JSON.parse(readFileSync(goldenPath('basic', 'golden.json'), 'utf8')).keypoints;
  const subsets = JSON.parse(readFileSync(goldenPath('basic', 'subsets.json'), 'utf8')).keypoints;
  assert.equal(json.task, 'keypoints');
  assert.equal(json.stats.length, 10);
  json.stats.forEach((v: number, i: number) => assert.ok(Math.abs(v - golden.stats[i]) < 1e-9));
  // The same figures by name, beside the vector.
  assert.deepEqual(Object.keys(json.figures), ['ap', 'ap50', 'ap75', 'ap_medium', 'ap_large', 'ar', 'ar50', 'ar75', 'ar_medium', 'ar_large']);
  Object.values(json.figures).forEach((v, i) => assert.ok(Math.abs((v as number) - golden.stats[i]) < 1e-9, `figures[${i}]`));
  assert.deepEqual(
    json.per_category_ap.map((c: { category_id: number }) => c.category_id),
    golden.per_category_ap.map((c: { category_id: number }) => c.category_id),
  );
  assert.equal(json.per_category_ap[5].ap, -1);
  assert.deepEqual(Object.keys(json.by), ['scale']);
  assert.ok(Math.abs(json.by.scale['2'].ap75 - subsets.scale['2'][2]) < 1e-9);
});

test('an empty results list gives 0 where there is ground truth, -1 where none', async () => {
  const out = await evalCli('bbox', [], GT, ['--json']);
  assert.equal(out.code, 0, out.stderr);
  const json = JSON.parse(out.stdout);
  assert.deepEqual(
    json.per_category_ap.slice(0, 3).map((c: { ap: number }) => c.ap),
    [0, 0, -1],
  );
  assert.equal(json.stats[0], 0);
});

test('bad results: an image the ground truth does not have', async () => {
  const out = await evalCli('bbox', [BOX, { ...BOX, image_id: 5 }]);
  assertBadInput(out, out.resultsFile, '[1].image_id', /an image of the ground truth.*found 5/);
});

test('bad results: an unknown category', async () => {
  const out = await evalCli('bbox', [{ ...BOX, category_id: 14 }]);
  assertBadInput(out, out.resultsFile, '[0].category_id', /category id.*found 14/);
});

test('bad results: a non-finite number', async () => {
  const gtFile = await writeJson(GT, 'gt.json');
  const resultsFile = await writeJson('[{"image_id": 1, "category_id": 1, "bbox": [1, 2, 3, 4], "score": 1e999}]', 'results.json');
  const out = await runCli(['eval', 'bbox', '--gt', gtFile, '--results', resultsFile]);
  assertBadInput(out, resultsFile, '[0].score', /finite number, found non-finite Infinity/);
});

test('bad results: a negative box width', async () => {
  const out = await evalCli('bbox', [BOX, { ...BOX, bbox: [1, 2, -3, 4] }]);
  assertBadInput(out, out.resultsFile, '[1].bbox', /width and height >= 0/);
});

test('bad results: a keypoint vector that is not 882 long', async () => {
  const out = await evalCli('keypoints', [{ image_id: 1, category_id: 1, keypoints: [1, 2, 2], score: 0.5 }]);
  assertBadInput(out, out.resultsFile, '[0].keypoints', /882 numbers/);
});

test('bad results: an RLE whose size differs from the image', async () => {
  const counts = rleToString(rleFromBox(1, 1, 5, 5, 50, 50));
  const out = await evalCli('segm', [{ image_id: 1, category_id: 1, segmentation: { size: [50, 50], counts }, score: 0.5 }]);
  assertBadInput(out, out.resultsFile, '[0].segmentation.size', /size of image 1 \[80, 100\].*found \[50, 50\]/);
});

test('bad results: RLE counts that do not sum to h*w', async () => {
  const counts = rleToString(rleFromBox(1, 1, 5, 5, 50, 50));
  const out = await evalCli('segm', [{ image_id: 1, category_id: 1, segmentation: { size: [80, 100], counts }, score: 0.5 }]);
  assertBadInput(out, out.resultsFile, '[0].segmentation', /sum to 2500, expected 80\*100/);
});

test('bad results: a truncated file and a file that is not JSON', async () => {
  const gtFile = await writeJson(GT, 'gt.json');
  const truncated = await writeJson(JSON.stringify([BOX, BOX]).slice(0, -20), 'truncated.json');
  const cut = await runCli(['eval', 'bbox', '--gt', gtFile, '--results', truncated]);
  assert.equal(cut.code, 1);
  assert.match(cut.stderr, new RegExp(`^df2: ${truncated}: .*truncated.*\\n$`));
  const text = await writeJson('image_id,category_id\n1,1\n', 'results.csv');
  const notJson = await runCli(['eval', 'bbox', '--gt', gtFile, '--results', text]);
  assert.equal(notJson.code, 1);
  assert.match(notJson.stderr, new RegExp(`^df2: ${text}: .*expected a JSON array or object.*\\n$`));
});

test('bad ground truth: not a COCO file', async () => {
  const { annotations: _a, ...noAnnotations } = GT;
  const missing = await evalCli('bbox', [BOX], noAnnotations);
  assertBadInput(missing, missing.gtFile, 'annotations', /"images", "annotations" and "categories".*no "annotations"/);
  const swapped = await evalCli('bbox', [BOX], [BOX]);
  assertBadInput(swapped, swapped.gtFile, '', /COCO ground-truth object.*JSON array/);
});

test('bad ground truth: a field of the wrong kind', async () => {
  const gt = cocoGt([{ id: 1 }], [{ image_id: 1, category_id: 1, bbox: [1, 2, 3], area: 6 }]);
  const out = await evalCli('bbox', [BOX], gt);
  assertBadInput(out, out.gtFile, 'annotations[0].bbox', /4 finite numbers/);
  const kps = cocoGt([{ id: 1 }], [{ image_id: 1, category_id: 1, bbox: [1, 2, 3, 4], keypoints: keypointVector(1, landmarksIn(1, 0, 0, 9, 9)).slice(1) }]);
  const shortVector = await evalCli('keypoints', [], kps);
  assertBadInput(shortVector, shortVector.gtFile, 'annotations[0].keypoints', /882 numbers/);
});

test('--by needs the attributes in the ground truth', async () => {
  const gt = cocoGt([{ id: 1 }], [{ image_id: 1, category_id: 1, bbox: [1, 2, 3, 4] }]);
  const out = await evalCli('bbox', [BOX], gt, ['--by', 'all']);
  assertBadInput(out, out.gtFile, 'annotations[0].scale', /df2 convert coco --attributes/);
  const unknown = await evalCli('bbox', [BOX], GT, ['--by', 'colour']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /expected one of scale, occlusion, zoom_in, viewpoint or all/);
});

test('--errors --confusion --per-image: the reference figures in --json and in the file', async () => {
  const errorsGolden = JSON.parse(readFileSync(goldenPath('quirks', 'errors.json'), 'utf8')).segm;
  const dir = await tempDir('df2-eval-errors-');
  const perImage = join(dir, 'per-image.json');
  const out = await runCli([
    'eval',
    'segm',
    '--gt',
    goldenPath('quirks', 'gt', 'coco.json'),
    '--results',
    goldenPath('quirks', 'results', 'segm_results.json'),
    '--errors',
    '--confusion',
    '--per-image',
    perImage,
    '--json',
  ]);
  assert.equal(out.code, 0, out.stderr);
  assert.equal(out.stderr, '');
  const json = JSON.parse(out.stdout);
  assert.equal(json.task, 'segm');
  assert.deepEqual(Object.keys(json.errors), ['ap50', 'main', 'special']);
  assert.deepEqual(Object.keys(json.errors.main), ['cls', 'loc', 'both', 'dupe', 'bkg', 'miss']);
  assert.ok(Math.abs(json.errors.ap50 - errorsGolden.errors.ap50) < 1e-9);
  for (const [name, value] of Object.entries(errorsGolden.errors.main)) assert.ok(Math.abs(json.errors.main[name] - (value as number)) < 1e-9, name);
  for (const [name, value] of Object.entries(errorsGolden.errors.special)) assert.ok(Math.abs(json.errors.special[name] - (value as number)) < 1e-9, name);
  assert.deepEqual(json.confusion, errorsGolden.confusion);
  assert.deepEqual(JSON.parse(readFileSync(perImage, 'utf8')), errorsGolden.per_image);
  assert.deepEqual(readdirSync(dir), ['per-image.json'], 'no temporary file left');
});

test('--errors and --confusion as text; --conf and --iou change the matrix', async () => {
  const args = [
    'eval',
    'bbox',
    '--gt',
    goldenPath('basic', 'gt', 'coco.json'),
    '--results',
    goldenPath('basic', 'results', 'bbox_results.json'),
    '--errors',
    '--confusion',
  ];
  const out = await runCli(args);
  assert.equal(out.code, 0, out.stderr);
  const lines = out.stdout.split('\n');
  const tide = lines.findIndex((l) => l.startsWith('TIDE errors of bbox'));
  assert.ok(tide > 0, out.stdout);
  assert.match(lines[tide]!, /AP50 as TIDE computes it = 0\.6456/);
  assert.match(lines[tide + 2]!, /^ {2}dAP\s+0\.0936\s+0\.0405\s+0\.0050\s+0\.0043\s+0\.0048\s+0\.0776$/);
  assert.match(lines[tide + 4]!, /^ {2}dAP\s+0\.0573\s+0\.1960$/);
  const head = lines.findIndex((l) => l.startsWith('pred\\gt'));
  assert.match(lines[head + 1]!, /^1\s+57(\s+0){5}\s+1(\s+0){6}\s+17$/);
  assert.match(lines[head + 14]!, /^bg\s+12\s+2\s+0\s+3\s/);
  const loose = JSON.parse((await runCli([...args, '--conf', '0.05', '--iou', '0.3', '--json'])).stdout);
  const strict = JSON.parse((await runCli([...args, '--json'])).stdout);
  const total = (m: number[][]): number => m.flat().reduce((s, v) => s + v, 0);
  assert.notDeepEqual(loose.confusion.matrix, strict.confusion.matrix);
  assert.ok(total(loose.confusion.matrix) > 0 && total(strict.confusion.matrix) > 0);
});

test('keypoints --per-image uses OKS .50 and carries the landmark kinds per detection; --errors gives the landmark error analysis', async () => {
  const dir = await tempDir('df2-eval-errors-');
  const perImage = join(dir, 'kp.json');
  const gt = goldenPath('basic', 'gt', 'coco.json');
  const res = goldenPath('basic', 'results', 'keypoints_results.json');
  const kpGolden = JSON.parse(readFileSync(goldenPath('basic', 'kp-errors.json'), 'utf8'));
  const out = await runCli(['eval', 'keypoints', '--gt', gt, '--results', res, '--per-image', perImage, '--errors', '--json']);
  assert.equal(out.code, 0, out.stderr);
  const rows = JSON.parse(readFileSync(perImage, 'utf8')) as { image_id: number; detections: { id: number; gt_id: number; good: number; miss: number }[] }[];
  assert.deepEqual(
    rows.map(({ detections, ...counts }) => (void detections, counts)),
    JSON.parse(readFileSync(goldenPath('basic', 'errors.json'), 'utf8')).keypoints.per_image,
  );
  const detections = rows.flatMap((r) => r.detections.map((d) => ({ ...d, image_id: r.image_id })));
  assert.equal(detections.length, kpGolden.per_detection.length, 'every analysed detection in its image');
  for (const expected of kpGolden.per_detection) {
    const d = detections.find((x) => x.id === expected.id)!;
    assert.equal(d.image_id, expected.image_id);
    assert.equal(d.gt_id, expected.gt_id);
    assert.equal(d.good, expected.counts.good);
    assert.equal(d.miss, expected.counts.miss);
  }
  const json = JSON.parse(out.stdout);
  assert.deepEqual(json.errors.counts, kpGolden.counts);
  for (const [step, value] of Object.entries(kpGolden.ap_oks50)) assert.ok(Math.abs(json.errors.ap_oks50[step] - (value as number)) < 1e-9, step);
  for (const [t, value] of Object.entries(kpGolden.ap_by_oks.jitter)) assert.ok(Math.abs(json.errors.ap_by_oks.jitter[t] - (value as number)) < 1e-9, t);
  assert.equal(json.errors.landmarks['1'].length, 25, 'a row per landmark of short_sleeved_shirt');

  const text = await runCli(['eval', 'keypoints', '--gt', gt, '--results', res, '--errors']);
  assert.equal(text.code, 0, text.stderr);
  const lines = text.stdout.split('\n');
  assert.match(
    lines.find((l) => l.trimStart().startsWith('all '))!,
    /^\s+all\s+1979\s+1240\s+8\s+0\s+892$/,
  );
  assert.match(
    lines.find((l) => l.includes('original'))!,
    /original\s+65\.2\s+37\.3/,
  );
  assert.match(
    lines.find((l) => l.includes('+ misses fixed'))!,
    /74\.4\s+\+9\.2\s+73\.7\s+\+36\.4/,
  );
  assert.ok(
    lines.some((l) => /^\s+1 short_sleeved_shirt\s+#1 68% \(36 miss\)/.test(l)),
    'the worst landmarks of category 1',
  );
});

test('a bad --conf is one clear line', async () => {
  const out = await evalCli('bbox', [BOX], GT, ['--confusion', '--conf', '1.5']);
  assert.equal(out.code, 1);
  assert.match(out.stderr, /--conf <score>.*expected a number from 0 to 1/);
  assert.equal(out.stdout, '');
});

test('eval segm with box results warns that the boxes stand in for masks; an empty results file warns; both still evaluate', async () => {
  const withMask = {
    image_id: 1,
    category_id: 2,
    bbox: [50, 20, 30, 40],
    segmentation: { size: [80, 100], counts: rleToString(rleFromBox(50, 20, 30, 40, 80, 100)) },
    score: 0.8,
  };
  const boxes = await evalCli('segm', [BOX, withMask]);
  assert.equal(boxes.code, 0, boxes.stderr);
  assert.equal(
    boxes.stderr,
    `df2: warning: 1 of 2 result(s) of ${boxes.resultsFile} have a bbox and no segmentation: their box stands in for the mask, as in the official evaluation (are these box results?)\n`,
  );
  assert.match(boxes.stdout, /Average Precision/);
  const asBoxes = await evalCli('bbox', [BOX, withMask]);
  assert.equal(asBoxes.stderr, '', 'no warning for the bbox task');

  const empty = await evalCli('bbox', [], GT, ['--json']);
  assert.equal(empty.code, 0, empty.stderr);
  assert.equal(empty.stderr, `df2: warning: ${empty.resultsFile} holds no result: every figure is 0 (-1 where a category has no ground truth)\n`);
  assert.ok(Array.isArray(JSON.parse(empty.stdout).stats));
});

test('report --task segm with box results warns as eval does', async () => {
  const gtFile = await writeJson(GT, 'gt.json');
  const resultsFile = await writeJson([BOX], 'results.json');
  const out = await runCli([
    'report',
    '--gt',
    gtFile,
    '--results',
    resultsFile,
    '--task',
    'segm',
    '--out',
    resultsFile.replace(/results\.json$/, 'report.html'),
    '--quiet',
  ]);
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stderr, /^df2: warning: 1 of 1 result\(s\) of .*results\.json have a bbox and no segmentation: their box stands in for the mask/);
});

test('a gzip-compressed results file is named as such in one line', async () => {
  const gtFile = await writeJson(GT, 'gt.json');
  const resultsFile = gtFile.replace(/gt\.json$/, 'results.json.gz');
  writeFileSync(resultsFile, gzipSync(JSON.stringify([BOX])));
  const out = await runCli(['eval', 'bbox', '--gt', gtFile, '--results', resultsFile]);
  assert.equal(out.code, 1);
  assert.equal(out.stderr, `df2: ${resultsFile}: expected a JSON file, found gzip-compressed data (decompress it first, e.g. with gunzip)\n`);
});
