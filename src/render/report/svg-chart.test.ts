import { test } from 'node:test';
import assert from 'node:assert/strict';
import { binCounts, histogramSvg, lineChartSvg, niceCeiling } from './svg-chart.js';
import { reportHtml } from './report-html.js';

test('binCounts puts each value in one bin, the upper edge in the last', () => {
  const edges = [0, 0.25, 0.5, 0.75, 1];
  assert.deepEqual(binCounts([0, 0.1, 0.25, 0.5, 0.99, 1, 1.2, -0.1], edges), [3, 1, 1, 3]);
});

test('niceCeiling rounds up to 1, 2, 2.5 or 5 times a power of ten', () => {
  assert.deepEqual([0, 1, 3, 7, 22, 26, 180].map(niceCeiling), [1, 1, 5, 10, 25, 50, 200]);
});

test('a line chart leaves out points without data and marks each series', () => {
  const svg = lineChartSvg({
    title: 'T',
    xLabel: 'x',
    yLabel: 'y',
    xs: [0, 0.5, 1],
    series: [
      { name: 'a', color: '#000000', ys: [1, -1, 0.5], key: 'a' },
      { name: 'none', color: '#111111', ys: [-1, -1, -1], key: 'none' },
    ],
  });
  const paths = [...svg.matchAll(/<path d="([^"]*)"[^>]*data-series="([^"]+)"/g)];
  assert.equal(paths.length, 1, 'a series without data draws nothing');
  assert.equal(paths[0]![2], 'a');
  assert.equal((paths[0]![1]!.match(/M/g) ?? []).length, 2, 'the gap starts a new subpath');
});

test('a histogram draws one bar per non-empty bin and series', () => {
  const svg = histogramSvg({
    title: 'T',
    xLabel: 'score',
    edges: [0, 0.5, 1],
    series: [
      { name: 'tp', color: '#00ff00', counts: [0, 3], key: 'tp' },
      { name: 'fp', color: '#ff0000', counts: [2, 1], key: 'fp' },
    ],
  });
  assert.deepEqual(
    [...svg.matchAll(/data-series="(\w+)" data-bin="(\d)" data-count="(\d+)"/g)].map((m) => m.slice(1).join(':')),
    ['tp:1:3', 'fp:0:2', 'fp:1:1'],
  );
});

test('text in the report is escaped', () => {
  const html = reportHtml({ title: '<script>alert(1)</script> & co', createdAt: 'now', tasks: [] });
  assert.doesNotMatch(html, /<script>/);
  assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt; &amp; co/);
});
