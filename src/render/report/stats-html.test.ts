/** The stats page stands alone and shows the collected figures. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readSplit } from '../../dataset/index.js';
import { collectSplitStats } from '../../dataset/index.js';
import { goldenPath } from '../../testing/paths.js';
import { statsHtml } from './stats-html.js';
import { svgBarChart, svgStackedBarChart } from './svg-bar-chart.js';

test('statsHtml: one self-contained page whose bars carry the figures', async () => {
  const stats = await collectSplitStats(readSplit(goldenPath('basic', 'dataset')));
  const html = statsHtml(stats, { title: 'basic <split>' });
  assert.ok(html.startsWith('<!doctype html>'));
  assert.ok(!/<script|<link|@import|src=|url\(/i.test(html), 'nothing loaded from elsewhere');
  assert.deepEqual(
    html.match(/https?:\/\/[^"\s]+/g)!.filter((u) => u !== 'http://www.w3.org/2000/svg'),
    [],
  );
  assert.ok(html.includes('basic &lt;split&gt;'), 'title escaped');
  const bar = (label: string): number => Number(new RegExp(`data-label="${label}" data-value="(\\d+)"`).exec(html)![1]);
  for (const c of stats.categories) assert.equal(bar(c.name), c.items, c.name);
  assert.equal(bar('moderate'), stats.attributes.scale.moderate);
  assert.equal(bar('visible \\(v = 2\\)'), stats.landmarks.visible);
  assert.ok(html.includes(`<td>${stats.table1.pairs.toLocaleString('en-US')}</td>`));
  assert.ok((html.match(/<svg /g) ?? []).length >= 12);
});

test('svgBarChart: widths proportional to values; svgStackedBarChart: parts add up', () => {
  const svg = svgBarChart(
    [
      { label: 'a', value: 10 },
      { label: 'b', value: 5 },
      { label: 'c', value: 0 },
    ],
    { title: 't', width: 500, labelWidth: 100 },
  );
  const widths = [...svg.matchAll(/<rect x="100" y="[\d.]+" width="([\d.]+)"/g)].map((m) => Number(m[1]));
  assert.equal(widths.length, 3);
  assert.equal(widths[1]! * 2, widths[0]);
  assert.equal(widths[2], 0);
  const stacked = svgStackedBarChart([{ label: 'x', values: [1, 3] }], {
    title: 's',
    series: [
      { name: 'p', color: '#000' },
      { name: 'q', color: '#111' },
    ],
    normalize: true,
    width: 400,
    labelWidth: 100,
  });
  const parts = [...stacked.matchAll(/data-series="[pq]" data-value="(\d+)"/g)].map((m) => Number(m[1]));
  assert.deepEqual(parts, [1, 3]);
});
