/** `df2 eval retrieval` end to end: figures, layout, warnings and bad input. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../testing/cli.js';
import { goldenPath, tempDir } from '../testing/paths.js';

const basic = (name: string): string => goldenPath('basic', 'retrieval', name);
const args = (query: string, gallery: string, results: string, ...more: string[]): string[] => [
  'eval',
  'retrieval',
  '--query',
  query,
  '--gallery',
  gallery,
  '--results',
  results,
  ...more,
];

const goodResult = {
  query_image_id: 1,
  query_bbox: [33, 138, 138, 422],
  query_cls: 12,
  query_score: 0.9,
  gallery_image_id: [4],
  gallery_bbox: [[45, 113, 78, 147]],
};

/** Asserts a one-line bad-input failure: exit 1, no stack, message naming every fragment. */
function assertBadInput(run: { code: number; stdout: string; stderr: string }, ...fragments: string[]): void {
  assert.equal(run.code, 1, run.stderr);
  assert.equal(run.stdout, '');
  assert.ok(!run.stderr.includes('    at '), run.stderr);
  assert.match(run.stderr, /^df2: /);
  for (const f of fragments) assert.ok(run.stderr.includes(f), `${JSON.stringify(f)} not in ${run.stderr}`);
}

test('--json prints the golden figures, counts and warnings', async () => {
  const golden = JSON.parse(await readFile(goldenPath('quirks', 'golden.json'), 'utf8')).retrieval;
  const q = (name: string): string => goldenPath('quirks', 'retrieval', name);
  const run = await runCli(args(q('query.json'), q('gallery.json'), q('results.json'), '--json'));
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stderr, '');
  const json = JSON.parse(run.stdout);
  for (const key of ['top1', 'top5', 'top10', 'top15', 'top20']) assert.ok(Math.abs(json[key] - golden[key]) <= 1e-9, key);
  assert.equal(json.queries, golden.queries);
  assert.equal(json.missed, golden.missed);
  assert.equal(json.short_lists, 0);
  assert.equal(json.by, undefined);
  assert.deepEqual(json.warnings, { results_without_query_image: 0, unknown_gallery_images: 0, queries_without_gallery_match: 0 });
});

test('--by all prints a table with the README heads; --json carries the breakdown', async () => {
  const subsets = JSON.parse(await readFile(goldenPath('basic', 'subsets.json'), 'utf8')).retrieval;
  const text = await runCli(args(basic('query-attributes.json'), basic('gallery.json'), basic('results.json'), '--by', 'all'));
  assert.equal(text.code, 0, text.stderr);
  const lines = text.stdout.split('\n');
  for (const head of ['small', 'moderate', 'heavy', 'no wear', 'side or back', 'overall']) assert.ok(text.stdout.includes(head), head);
  const top5 = lines
    .find((l) => l.startsWith('top-5 '))!
    .trim()
    .split(/\s+/);
  assert.equal(top5.length, 1 + 12 + 1);
  assert.equal(top5[1], subsets.scale['1'].top5.toFixed(4));
  assert.equal(top5[6], subsets.occlusion['3'].top5.toFixed(4));

  const json = await runCli(args(basic('query-attributes.json'), basic('gallery.json'), basic('results.json'), '--by', 'occlusion', '--json'));
  assert.equal(json.code, 0, json.stderr);
  const by = JSON.parse(json.stdout).by;
  assert.deepEqual(Object.keys(by), ['occlusion']);
  assert.deepEqual(by.occlusion, subsets.occlusion);
});

test('warnings for results that cannot count go to stderr, or into the JSON', async () => {
  const dir = await tempDir();
  const results = JSON.parse(await readFile(basic('results.json'), 'utf8'));
  results.push({ ...goodResult, query_image_id: 999999, gallery_image_id: [888888], gallery_bbox: [[0, 0, 1, 1]] });
  const file = join(dir, 'results.json');
  await writeFile(file, JSON.stringify(results));
  const text = await runCli(args(basic('query.json'), basic('gallery.json'), file));
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stderr, /warning: 1 result\(s\) name an image that has no query/);
  assert.match(text.stderr, /warning: 1 retrieved item\(s\) name a shop image that is not in the gallery/);
  assert.match(text.stdout, /1 with fewer than 20 retrieved/);
  const json = await runCli(args(basic('query.json'), basic('gallery.json'), file, '--json'));
  assert.equal(json.stderr, '');
  const parsed = JSON.parse(json.stdout);
  assert.equal(parsed.warnings.results_without_query_image, 1);
  assert.equal(parsed.warnings.unknown_gallery_images, 1);
  assert.equal(parsed.short_lists, 1);
  const golden = JSON.parse(await readFile(goldenPath('basic', 'golden.json'), 'utf8')).retrieval;
  assert.equal(parsed.top20, golden.top20);
});

test('bad input: one line naming file, result index and field; exit 1', async () => {
  const dir = await tempDir();
  const write = async (name: string, content: string): Promise<string> => {
    const file = join(dir, name);
    await writeFile(file, content);
    return file;
  };
  const list = (...entries: unknown[]): string => JSON.stringify(entries);
  const cases: [string, string, string[]][] = [
    ['missing.json', list(goodResult, { ...goodResult, query_score: undefined }), ['missing.json', '[1].query_score']],
    ['lengths.json', list({ ...goodResult, gallery_image_id: [4, 5] }), ['[0].gallery_bbox', 'as many boxes']],
    ['nan.json', list(goodResult, goodResult, { ...goodResult, query_bbox: [1, 2, 3, 'x'] }), ['[2].query_bbox', '4 finite numbers']],
    ['truncated.json', list(goodResult, goodResult).slice(0, -20), ['truncated.json', 'truncated']],
    ['text.json', 'not json at all', ['text.json']],
    ['object.json', '{"results": 1}', ['object.json', 'a JSON array of retrieval results']],
  ];
  // Two at a time: each case is a whole df2 process.
  for (let i = 0; i < cases.length; i += 2) {
    await Promise.all(
      cases.slice(i, i + 2).map(async ([name, content, fragments]) => {
        const file = await write(name, content);
        assertBadInput(await runCli(args(basic('query.json'), basic('gallery.json'), file)), ...fragments);
      }),
    );
  }
  const badQuery = await write('query.json', list({ query_image_id: 1, style: 1, cls: 0, pair_id: 1, bbox: [0, 0, 1, 1] }));
  assertBadInput(await runCli(args(badQuery, basic('gallery.json'), basic('results.json'))), 'query.json: [0].cls');
});

test('--by needs attributes in the query file and a known attribute name', async () => {
  const noAttributes = await runCli(args(basic('query.json'), basic('gallery.json'), basic('results.json'), '--by', 'scale'));
  assertBadInput(noAttributes, 'query.json: [0].scale', 'df2 convert retrieval --attributes');
  const unknown = await runCli(args(basic('query.json'), basic('gallery.json'), basic('results.json'), '--by', 'colour'));
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /scale, occlusion, zoom_in, viewpoint or all/);
});
