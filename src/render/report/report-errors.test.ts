/**
 * The report's error-analysis section against the reference figures of the
 * golden fixture (errors.json): the TIDE table and bars, the confusion heat
 * map's cells, and the images with the most errors.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { goldenPath } from '../../testing/paths.js';
import { buildReportData } from './report-data.js';
import { reportHtml } from './report-html.js';

interface GoldenErrors {
  errors: { ap50: number; main: Record<string, number>; special: Record<string, number> };
  confusion: { labels: (number | string)[]; matrix: number[][] };
  per_image: { image_id: number; tp: number; fp: number; fn: number }[];
}

const close = (actual: number, expected: number, what: string): void => assert.ok(Math.abs(actual - expected) <= 1e-9, `${what}: ${actual} vs ${expected}`);

/** The part of the page between the error section's opening tag and the next section. */
function errorPart(html: string, task: string): string {
  const start = html.indexOf(`<div class="errors" data-errors="${task}">`);
  assert.ok(start >= 0, `an error section for ${task}`);
  return html.slice(start, html.indexOf('</section>', start));
}

test('report: TIDE, confusion matrix and the images with the most errors equal the reference figures', async () => {
  const golden = JSON.parse(await readFile(goldenPath('quirks', 'errors.json'), 'utf8')) as Record<string, GoldenErrors>;
  const data = await buildReportData({
    gtFile: goldenPath('quirks', 'gt', 'coco.json'),
    tasks: (['segm', 'bbox', 'keypoints'] as const).map((task) => ({ task, resultsFile: goldenPath('quirks', 'results', `${task}_results.json`) })),
  });
  const html = reportHtml(data.model);
  assert.equal(data.model.tasks.find((t) => t.task === 'keypoints')!.errors, undefined, 'no TIDE or confusion for keypoints');
  assert.ok(!html.includes('data-errors="keypoints"'));

  for (const task of ['bbox', 'segm'] as const) {
    const expected = golden[task]!;
    const e = data.model.tasks.find((t) => t.task === task)!.errors!;
    close(e.tide.ap50, expected.errors.ap50, `${task} ap50`);
    for (const [k, v] of Object.entries(expected.errors.main)) close(e.tide.main[k as 'cls'], v, `${task} ${k}`);
    for (const [k, v] of Object.entries(expected.errors.special)) close(e.tide.special[k as 'false_pos'], v, `${task} ${k}`);
    assert.deepEqual(e.confusion.matrix, expected.confusion.matrix);
    assert.equal(e.confusion.labels[0], 'short sleeve top');
    assert.equal(e.confusion.labels[13], 'background');

    const part = errorPart(html, task);
    // The table carries the exact values.
    const cell = (key: string): number => Number(new RegExp(`<td data-key="${key}" data-value="([^"]+)"`).exec(part)![1]);
    close(cell('ap50'), expected.errors.ap50, `${task} table ap50`);
    for (const [k, v] of Object.entries({ ...expected.errors.main, ...expected.errors.special })) close(cell(k), v, `${task} table ${k}`);
    // One bar per error type, its length from the dAP.
    const bars = [...part.matchAll(/<rect [^>]*data-label="([^"]+)" data-value="([^"]+)"/g)].map((m) => [m[1], Number(m[2])] as const);
    assert.deepEqual(
      bars.map(([label]) => label),
      ['classification', 'localization', 'cls + loc (both)', 'duplicate', 'background', 'missed', 'false positives', 'false negatives'],
    );
    close(bars[0]![1], expected.errors.main.cls!, `${task} cls bar`);
    close(bars[7]![1], expected.errors.special.false_neg!, `${task} false_neg bar`);
    // Every heat-map cell.
    const cells = [...part.matchAll(/data-row="(\d+)" data-col="(\d+)" data-value="(\d+)"/g)];
    assert.equal(cells.length, 14 * 14);
    for (const [, r, c, v] of cells) assert.equal(Number(v), expected.confusion.matrix[Number(r)]![Number(c)], `${task} cell ${r},${c}`);
    assert.ok(part.includes('>sling dress</text>'), 'category names on the axes');
    // The images with the most errors: the reference per-image rows, most errors first.
    const ranked = [...expected.per_image]
      .filter((r) => r.fp + r.fn > 0)
      .sort((a, b) => b.fp + b.fn - (a.fp + a.fn) || a.image_id - b.image_id)
      .slice(0, 10);
    const rows = [
      ...part.matchAll(
        /<tr data-image="(\d+)"><td class="name">\d+<\/td><td data-key="tp">(\d+)<\/td><td data-key="fp">(\d+)<\/td><td data-key="fn">(\d+)<\/td>/g,
      ),
    ];
    assert.deepEqual(
      rows.map((m) => ({ image_id: Number(m[1]), tp: Number(m[2]), fp: Number(m[3]), fn: Number(m[4]) })),
      ranked,
    );
  }
});
