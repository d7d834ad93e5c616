// The picture of the five landmark kinds for docs/errors.md, drawn with df2's
// own drawing code and classified by df2's own analysis:
//
//   npm run build
//   node scripts/landmark-kinds-picture.mjs docs/images/errors-landmarks.png
//
// Two short sleeve tops (a real annotation of the golden fixture `basic`,
// and the same moved right) and one detection for the left one: a copy of
// its landmarks with landmark 8 put on its flip partner 24 (inversion),
// landmark 10 on the right top's landmark 10 (swap), landmark 14 far off
// (miss) and landmark 16 a little off (jitter).
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCanvas } from '@napi-rs/canvas';
import { drawItems, styleForImage, FONT_FAMILY } from '../dist/render/pictures/draw-item.js';
import { loadCocoPair, keypointErrorAnalysis } from '../dist/eval/index.js';
import { OKS_SIGMAS, KEYPOINT_VECTOR_LENGTH, CATEGORIES } from '../dist/schema/index.js';

const out = process.argv[2];
if (!out) {
  process.stderr.write('usage: node scripts/landmark-kinds-picture.mjs OUT.png\n');
  process.exit(2);
}
const gtFixture = JSON.parse(readFileSync(new URL('../fixtures/golden/basic/gt/coco.json', import.meta.url), 'utf8'));
const source = gtFixture.annotations.find((a) => a.id === 25);
const n = CATEGORIES[0].landmarks;
const [bx, by, bw, bh] = source.bbox;
const MARGIN = 30;
const GAP = 40;
const place = (dx) => Array.from({ length: n }, (_, i) => [source.keypoints[3 * i] - bx + MARGIN + dx, source.keypoints[3 * i + 1] - by + MARGIN, 2]);
const left = place(0);
const right = place(bw + GAP);
const predicted = left.map((p) => [...p]);
predicted[7] = [...left[23]];
predicted[9] = [...right[9]];
predicted[13] = [left[13][0] - 35, left[13][1] + 40, 2];
// Jitter: ks 0.7 with its own landmark (ks = exp(-d^2 / (2 sigma)^2 / area / 2)).
const jitterD = Math.sqrt(-Math.log(0.7) * 2 * (2 * OKS_SIGMAS[15]) ** 2 * bw * bh);
predicted[15] = [left[15][0] + jitterD, left[15][1], 2];

const vector = (points) => {
  const v = new Array(KEYPOINT_VECTOR_LENGTH).fill(0);
  points.forEach((p, i) => v.splice(3 * i, 3, ...p));
  return v;
};
const annotation = (id, points, dx) => ({
  id,
  image_id: 1,
  category_id: 1,
  iscrowd: 0,
  bbox: [MARGIN + dx, MARGIN, bw, bh],
  area: bw * bh,
  num_keypoints: n,
  keypoints: vector(points),
  segmentation: [],
});
const width = 2 * bw + GAP + 2 * MARGIN;
const height = bh + 2 * MARGIN + 60;
const dir = mkdtempSync(join(tmpdir(), 'df2-kinds-'));
let analysis;
try {
  const gtFile = join(dir, 'gt.json');
  const resultsFile = join(dir, 'results.json');
  writeFileSync(
    gtFile,
    JSON.stringify({
      images: [{ id: 1, width, height, file_name: '1.jpg' }],
      annotations: [annotation(1, left, 0), annotation(2, right, bw + GAP)],
      categories: gtFixture.categories,
    }),
  );
  writeFileSync(resultsFile, JSON.stringify([{ image_id: 1, category_id: 1, score: 0.9, keypoints: vector(predicted) }]));
  const { gt, results } = await loadCocoPair('keypoints', gtFile, resultsFile, { quiet: true });
  analysis = keypointErrorAnalysis(gt, results, { landmarkKinds: true });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const kinds = new Map(analysis.perDetection[0].landmarks.map((l) => [l.landmark, l.kind]));

// coco-analyze's colours for the error kinds; good in green.
const COLORS = { good: '#2e8b57', jitter: '#8c4646', inversion: '#d96459', swap: '#f2ae72', miss: '#e0c040' };
const canvas = createCanvas(width, height);
const ctx = canvas.getContext('2d');
ctx.fillStyle = '#ffffff';
ctx.fillRect(0, 0, width, height);
const style = styleForImage(width, height);
const flat = (points) => points.flat();
drawItems(
  ctx,
  [
    { categoryId: 1, landmarks: flat(left), landmarkKind: 'annotated' },
    { categoryId: 1, landmarks: flat(right), landmarkKind: 'annotated' },
  ],
  new Set(['skeleton', 'landmarks']),
  style,
);
ctx.font = `${style.fontSize}px ${FONT_FAMILY}`;
predicted.forEach(([x, y], i) => {
  const kind = kinds.get(i + 1) ?? 'good';
  const [gx, gy] = left[i];
  if (kind !== 'good') {
    // From the detected landmark to where it belongs.
    ctx.strokeStyle = COLORS[kind];
    ctx.lineWidth = 2;
    ctx.setLineDash([5, 4]);
    ctx.beginPath();
    ctx.moveTo(x, y);
    ctx.lineTo(gx, gy);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = '#000000';
    ctx.textAlign = 'left';
    ctx.textBaseline = 'bottom';
    ctx.fillText(`${i + 1}: ${kind}`, x + 8, y - 6);
  }
  ctx.fillStyle = COLORS[kind];
  ctx.strokeStyle = '#000000';
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.rect(x - 5, y - 5, 10, 10);
  ctx.fill();
  ctx.stroke();
});
// Legend.
let lx = 10;
const ly = height - 25;
ctx.textBaseline = 'middle';
ctx.textAlign = 'left';
for (const [kind, color] of Object.entries({ legend: null, ...COLORS })) {
  if (color) {
    ctx.fillStyle = color;
    ctx.fillRect(lx, ly - 5, 10, 10);
    ctx.strokeRect(lx, ly - 5, 10, 10);
    lx += 16;
  }
  ctx.fillStyle = '#000000';
  const text = color ? kind : 'dots: ground truth; squares: detected,';
  ctx.fillText(text, lx, ly);
  lx += ctx.measureText(text).width + (color ? 14 : 8);
}
writeFileSync(out, canvas.toBuffer('image/png'));
process.stdout.write(`${out}: ${JSON.stringify(analysis.counts)}\n`);
