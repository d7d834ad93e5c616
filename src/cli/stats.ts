/**
 * `df2 stats DIR`: Table 1 and Figure 3 of the DeepFashion2 paper for one
 * split, as text, JSON, or a self-contained HTML page of charts.
 */
import { resolve, basename } from 'node:path';
import type { Command } from 'commander';
import { collectSplitStats, type SplitStats } from '../dataset/index.js';
import { collectImageOnlyStats } from '../dataset/internal.js';
import { isImagesOnlySplit } from '../dataset/index.js';
import { InputError } from '../util/errors.js';
import { statsHtml } from '../render/index.js';
import { ATTRIBUTES, ATTRIBUTE_NAMES } from '../schema/index.js';
import { writeFileAtomic } from '../util/atomic.js';
import { refuseOutputsThatAreInputs } from './output-check.js';
import { readSplitImagesWithProgress, readSplitWithProgress } from './split-input.js';

export function registerStats(program: Command): void {
  program
    .command('stats')
    .description('Table 1 (images, boxes, landmarks, masks, pairs) and Figure 3 breakdowns of a split')
    .argument('<dir>', 'split directory holding annos/')
    .option('--json', 'print the statistics as JSON (no progress bar)')
    .option('--html <file>', 'also write one self-contained HTML page of charts')
    .addHelpText(
      'after',
      `
A split of images only (image/ without annos/, like the test split) gets its
image count and size ranges.
landmarks counts labelled landmarks (v = 1 occluded or v = 2 visible);
masks counts items with a polygon; pairs counts positive user-shop item
pairs (same pair_id, same style > 0).

Examples:
  $ df2 stats data/validation
  $ df2 stats data/train --json > train-stats.json
  $ df2 stats data/validation --html validation-stats.html`,
    )
    .action(async (dir: string, options: { json?: boolean; html?: string }) => {
      refuseOutputsThatAreInputs('stats', { splits: [dir], outputs: [['--html', options.html]] });
      if (await isImagesOnlySplit(dir)) {
        if (options.html) throw new InputError(dir, '', 'annotations (annos/) for the charts of --html', 'a split of images only');
        const stats = await collectImageOnlyStats(readSplitImagesWithProgress(dir, { label: 'counting', quiet: options.json }));
        const range = (r: { min: number; max: number; mean: number }): string => `${r.min}-${r.max} (mean ${r.mean.toFixed(1)})`;
        if (options.json) process.stdout.write(`${JSON.stringify(stats)}\n`);
        else
          process.stdout.write(
            `${dir}\nimages only (no annos/: ground truth withheld): ${n(stats.images)} images; width ${range(stats.width)}, height ${range(stats.height)}\n`,
          );
        return;
      }
      const stats = await collectSplitStats(readSplitWithProgress(dir, { label: 'counting', quiet: options.json }));
      if (options.html) await writeFileAtomic(options.html, statsHtml(stats, { title: `DeepFashion2 statistics: ${basename(resolve(dir))}` }));
      if (options.json) process.stdout.write(`${JSON.stringify(stats)}\n`);
      else process.stdout.write(statsText(dir, stats) + (options.html ? `${options.html}\n` : ''));
    });
}

const n = (v: number): string => v.toLocaleString('en-US');
const pct = (v: number, total: number): string => (total > 0 ? `${((100 * v) / total).toFixed(1)}%` : '-');

/** The statistics as aligned text tables. */
function statsText(dir: string, s: SplitStats): string {
  const out: string[] = [];
  const t = s.table1;
  out.push(`${dir}`);
  out.push(table(['images', 'bboxes', 'landmarks', 'masks', 'pairs'], [[t.images, t.boxes, t.landmarks, t.masks, t.pairs].map(n)]));
  out.push('');
  out.push(
    table(
      ['source', 'images', 'items'],
      [
        ['user', n(s.source.user.images), n(s.source.user.items)],
        ['shop', n(s.source.shop.images), n(s.source.shop.items)],
      ],
    ),
  );
  out.push(
    `pairs: ${n(s.pairs.positives)} positive item pairs; ${n(s.pairs.queryItems)} query items, ${n(s.pairs.galleryItems)} gallery items, ${n(s.pairs.pairIds)} pair_ids; ${n(s.styles.zero)} items with style 0`,
  );
  const lm = s.landmarks;
  const slots = lm.visible + lm.occluded + lm.unlabelled;
  out.push(
    `landmarks: ${n(lm.visible)} visible (${pct(lm.visible, slots)}), ${n(lm.occluded)} occluded (${pct(lm.occluded, slots)}), ${n(lm.unlabelled)} unlabelled (${pct(lm.unlabelled, slots)})`,
  );
  out.push('');
  out.push(
    table(
      ['category', 'items', 'user', 'shop', 'landmarks'],
      s.categories.map((c) => [c.name, n(c.items), n(c.userItems), n(c.shopItems), n(c.landmarks)]),
    ),
  );
  out.push('');
  out.push(
    table(
      ['attribute', ...ATTRIBUTES.scale.map((_, i) => String(i + 1))],
      ATTRIBUTE_NAMES.map((a) => [a, ...ATTRIBUTES[a].map((v) => `${v} ${n(s.attributes[a][v] ?? 0)} (${pct(s.attributes[a][v] ?? 0, t.boxes)})`)]),
    ),
  );
  return out.join('\n') + '\n';
}

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
}
