/**
 * Micro benchmark of the mask module at validation scale (prints figures; not
 * a test): ~110k ground-truth polygons (73,564 items), 93,810 detection RLE
 * strings, and their mask IoUs against the ground truth of their image.
 * Inputs are synthetic and deterministic, so the script needs no data.
 *
 *   npm run build && node dist/bench/mask.js
 */
import { pathToFileURL } from 'node:url';
import { rleFromPolygon } from '../mask/index.js';
import { rleFromString, rleToString } from '../mask/index.js';
import { type Rle, rleMerge } from '../mask/index.js';
import { rleIou } from '../mask/index.js';
import { seededRandom } from '../mask/testing.js';

const ITEMS = 73_564;
const DETECTIONS = 93_810;
const HEIGHT = 800;
const WIDTH = 600;

/** A star-shaped garment-like polygon of 10-20 vertices, 60-300 px across. */
function randomPolygon(random: () => number): number[] {
  const cx = 100 + random() * (WIDTH - 200);
  const cy = 100 + random() * (HEIGHT - 200);
  const radius = 30 + random() * 120;
  const n = 10 + Math.floor(random() * 11);
  const xy: number[] = [];
  for (let i = 0; i < n; i++) {
    const angle = (i / n) * 2 * Math.PI;
    const r = radius * (0.6 + 0.4 * random());
    xy.push(Math.round(cx + r * Math.cos(angle)), Math.round(cy + r * Math.sin(angle)));
  }
  return xy;
}

/** Runs work once and prints wall and CPU time (CPU time is the steadier figure on a shared machine). */
function time<T>(label: string, count: number, unit: string, work: () => T): T {
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  const result = work();
  const cpu = process.cpuUsage(cpuStart);
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const perItem = ((cpuMs * 1000) / count).toFixed(2);
  console.log(`${label.padEnd(36)} wall ${wallMs.toFixed(0).padStart(5)} ms  cpu ${cpuMs.toFixed(0).padStart(5)} ms  ${perItem.padStart(6)} us/${unit}`);
  return result;
}

function runMaskBench(): void {
  const random = seededRandom(42);
  const items = Array.from({ length: ITEMS }, () => (random() < 0.5 ? [randomPolygon(random)] : [randomPolygon(random), randomPolygon(random)]));
  const polygons = items.reduce((n, item) => n + item.length, 0);
  console.log(`mask benchmark: ${ITEMS} items (${polygons} polygons) on ${HEIGHT}x${WIDTH}, ${DETECTIONS} detections`);

  const gt = time('polygons -> RLE, union per item', polygons, 'polygon', () =>
    items.map((item) => rleMerge(item.map((xy) => rleFromPolygon(xy, HEIGHT, WIDTH)))),
  );
  // Detections: a ground-truth mask of a nearby item, as strings.
  const strings = time('RLE -> string', DETECTIONS, 'string', () => Array.from({ length: DETECTIONS }, (_, i) => rleToString(gt[(i * 7) % ITEMS]!)));
  const dts = time('string -> RLE (validated)', DETECTIONS, 'string', () => strings.map((s) => rleFromString(s, HEIGHT, WIDTH)));
  time('mask IoU, each detection vs 2 GT', DETECTIONS * 2, 'pair', () => {
    let sum = 0;
    const pair: Rle[] = [gt[0]!, gt[1]!];
    for (let i = 0; i < DETECTIONS; i++) {
      pair[0] = gt[(i * 7) % ITEMS]!;
      pair[1] = gt[(i * 7 + 1) % ITEMS]!;
      const iou = rleIou([dts[i]!], pair, [0, 0]);
      sum += iou[0]! + iou[1]!;
    }
    return sum;
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) runMaskBench();
