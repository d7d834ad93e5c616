import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ANNOTATION_FILE_NAME, IMAGE_FILE_NAME, checkAnnotation, formatProblemLine, problemError, splitFileId, type Problem } from './validate-annotation.js';
import { CATEGORIES } from './categories.js';
import { RELEASE_SAMPLE_DIR } from '../testing/paths.js';

const SAMPLE_FILE = join(RELEASE_SAMPLE_DIR, 'annos', '000001.json');
const SAMPLE_TEXT = readFileSync(SAMPLE_FILE, 'utf8');
const SAMPLE_IMAGE = { width: 468, height: 624 };
/** A fresh, mutable copy of the real release file. */
const sample = (): Record<string, any> => JSON.parse(SAMPLE_TEXT);

const errorsOf = (problems: Problem[]) => problems.filter((p) => p.severity === 'error');
const warningsOf = (problems: Problem[]) => problems.filter((p) => p.severity === 'warning');

/** Checks a changed copy of the sample and returns its single problem of the given severity. */
function onlyProblem(change: (json: Record<string, any>) => void, severity: 'error' | 'warning' = 'error', file = '/x/annos/000001.json'): Problem {
  const json = sample();
  change(json);
  const { record, problems } = checkAnnotation(file, json, SAMPLE_IMAGE);
  const found = problems.filter((p) => p.severity === severity);
  assert.equal(found.length, 1, `expected one ${severity}, got ${JSON.stringify(problems, null, 1)}`);
  if (severity === 'error') assert.equal(record, undefined);
  else assert.ok(record, 'warnings keep the record');
  return found[0]!;
}

test('the real release file is clean and keeps its key order (item2 first)', () => {
  const { record, problems } = checkAnnotation(SAMPLE_FILE, JSON.parse(SAMPLE_TEXT), SAMPLE_IMAGE);
  assert.deepEqual(problems, []);
  assert.ok(record);
  assert.equal(record.id, 1);
  assert.equal(record.source, 'user');
  assert.equal(record.pairId, 1);
  assert.deepEqual(
    record.items.map((i) => i.key),
    ['item2', 'item1'],
  );
  const [trousers, top] = record.items;
  assert.equal(trousers!.categoryId, 8);
  assert.equal(trousers!.categoryName, 'trousers');
  assert.deepEqual(trousers!.boundingBox, [249, 423, 466, 623]);
  assert.equal(trousers!.landmarks.length, 3 * CATEGORIES[7]!.landmarks);
  assert.equal(top!.style, 1);
  assert.equal(top!.zoomIn, 2);
  assert.equal(top!.segmentation.length, 3);
});

test('problems name the JSON path, the expectation and what was found', () => {
  const cases: [string, (j: Record<string, any>) => void, string, RegExp][] = [
    ['source', (j) => (j.source = 'consumer'), 'source', /^"user" or "shop"$/],
    ['pair_id mistyped', (j) => (j.pair_id = '1'), 'pair_id', /^an integer \(at most 2\^53 - 1\)$/],
    ['pair_id beyond 2^53', (j) => (j.pair_id = 2 ** 53), 'pair_id', /^an integer \(at most 2\^53 - 1\)$/],
    ['missing style', (j) => delete j.item1.style, 'item1.style', /integer from 0 to 2\^53 - 1/],
    ['negative style', (j) => (j.item1.style = -1), 'item1.style', /integer from 0 to 2\^53 - 1/],
    ['fractional style', (j) => (j.item1.style = 1.5), 'item1.style', /integer from 0 to 2\^53 - 1/],
    ['style beyond 2^53', (j) => (j.item1.style = 1e20), 'item1.style', /integer from 0 to 2\^53 - 1/],
    ['category_id 14', (j) => (j.item1.category_id = 14), 'item1.category_id', /integer 1\.\.13/],
    ['category_id as a string', (j) => (j.item1.category_id = '1'), 'item1.category_id', /integer 1\.\.13/],
    ['name of another category', (j) => (j.item1.category_name = 'trousers'), 'item1.category_name', /"short sleeve top"/],
    ['COCO name', (j) => (j.item2.category_name = 'trousers_x'), 'item2.category_name', /"trousers"/],
    ['landmark count', (j) => j.item1.landmarks.splice(0, 3), 'item1.landmarks', /3 x 25 numbers/],
    ['visibility 3', (j) => (j.item2.landmarks[14] = 3), 'item2.landmarks[14]', /visibility 0, 1 or 2 \(landmark 5\)/],
    ['v = 0 with coordinates', (j) => (j.item2.landmarks[12] = 7), 'item2.landmarks[12]', /x = y = 0 for an unlabelled landmark/],
    ['landmark not a number', (j) => (j.item2.landmarks[0] = null), 'item2.landmarks[0]', /a finite number/],
    ['x2 < x1', (j) => (j.item1.bounding_box = [300, 29, 200, 622]), 'item1.bounding_box', /x2 >= x1/],
    ['y2 < y1', (j) => (j.item1.bounding_box = [0, 500, 466, 400]), 'item1.bounding_box', /y2 >= y1/],
    ['x2 past the width', (j) => (j.item1.bounding_box[2] = 469), 'item1.bounding_box[2]', /x2 <= 468 \(the image width\)/],
    ['y2 past the height', (j) => (j.item1.bounding_box[3] = 625), 'item1.bounding_box[3]', /y2 <= 624/],
    ['negative x1', (j) => (j.item1.bounding_box[0] = -1), 'item1.bounding_box[0]', /x1 >= 0/],
    ['box of 3', (j) => j.item1.bounding_box.pop(), 'item1.bounding_box', /4 finite numbers/],
    ['odd polygon', (j) => j.item1.segmentation[0].pop(), 'item1.segmentation[0]', /even number of values/],
    ['one-point polygon', (j) => (j.item1.segmentation[2] = [1, 2]), 'item1.segmentation[2]', /at least 3 points/],
    ['polygon not a list', (j) => (j.item1.segmentation[1] = 5), 'item1.segmentation[1]', /a polygon/],
    ['segmentation not a list', (j) => (j.item1.segmentation = {}), 'item1.segmentation', /list of polygons/],
    ['scale 4', (j) => (j.item1.scale = 4), 'item1.scale', /integer 1\.\.3/],
    ['occlusion 0', (j) => (j.item1.occlusion = 0), 'item1.occlusion', /integer 1\.\.3/],
    ['zoom_in as a string', (j) => (j.item1.zoom_in = '2'), 'item1.zoom_in', /integer 1\.\.3/],
    ['viewpoint 1.5', (j) => (j.item1.viewpoint = 1.5), 'item1.viewpoint', /integer 1\.\.3/],
    ['item not an object', (j) => (j.item1 = [1]), 'item1', /an object/],
    [
      'no items',
      (j) => {
        delete j.item1;
        delete j.item2;
      },
      '',
      /at least one item/,
    ],
  ];
  for (const [what, change, path, expected] of cases) {
    const problem = onlyProblem(change);
    assert.equal(problem.path, path, what);
    assert.match(problem.expected, expected, what);
    assert.equal(problem.file, '/x/annos/000001.json', what);
    assert.ok(problem.found.length > 0, what);
  }
});

test('every problem of a file is reported, not just the first', () => {
  const json = sample();
  json.source = 'x';
  json.item1.scale = 9;
  json.item2.landmarks[14] = 5;
  json.item2.bounding_box = [10, 10, 5, 5];
  const { problems } = checkAnnotation('/x/annos/000001.json', json, SAMPLE_IMAGE);
  assert.deepEqual(
    errorsOf(problems).map((p) => p.path),
    ['source', 'item2.bounding_box', 'item2.bounding_box', 'item2.landmarks[14]', 'item1.scale'],
  );
});

test('the file name must be six digits, and the JSON an object', () => {
  const named = checkAnnotation('/x/annos/1.json', sample(), SAMPLE_IMAGE);
  assert.equal(named.record, undefined);
  assert.deepEqual(
    errorsOf(named.problems).map((p) => [p.path, p.expected, p.found]),
    [['', 'a six-digit file name like 000001.json', '"1.json"']],
  );
  const array = checkAnnotation('/x/annos/000001.json', [1, 2]);
  assert.equal(errorsOf(array.problems).length, 1);
  assert.match(array.problems[0]!.expected, /JSON object/);
  assert.equal(array.problems[0]!.found, 'an array of 2');
});

test('boxes are checked against the image only when its size is known; the border is inside', () => {
  const json = sample();
  json.item1.bounding_box = [0, 0, 468, 624];
  assert.deepEqual(checkAnnotation('/x/annos/000001.json', json, SAMPLE_IMAGE).problems, []);
  json.item1.bounding_box = [0, 0, 900, 900];
  assert.deepEqual(checkAnnotation('/x/annos/000001.json', json).problems, []);
  assert.equal(errorsOf(checkAnnotation('/x/annos/000001.json', json, SAMPLE_IMAGE).problems).length, 2);
});

test('legal but odd things are warnings and keep the record', () => {
  // Not even a warning: ~1% of the release's items have no labelled landmark.
  const noLandmark = sample();
  noLandmark.item2.landmarks = noLandmark.item2.landmarks.map(() => 0);
  assert.deepEqual(checkAnnotation('/x/annos/000001.json', noLandmark, SAMPLE_IMAGE).problems, []);

  const noPolygon = onlyProblem((j) => (j.item1.segmentation = []), 'warning');
  assert.equal(noPolygon.path, 'item1.segmentation');

  const flat = onlyProblem((j) => (j.item1.bounding_box = [10, 20, 10, 40]), 'warning');
  assert.equal(flat.path, 'item1.bounding_box');
  assert.match(flat.expected, /non-zero area/);
  assert.equal(flat.found, '0 x 20');

  // Two-point polygons occur in the release (see the golden quirks fixture).
  const line = onlyProblem((j) => (j.item1.segmentation[1] = [1, 2, 3, 4]), 'warning');
  assert.equal(line.path, 'item1.segmentation[1]');
  assert.equal(line.found, '2 points');
  const first = onlyProblem((j) => (j.item1.segmentation[0] = [1, 2, 3, 4]), 'warning');
  assert.match(first.found, /read .* as a box/);

  const unknown = onlyProblem((j) => (j.item1.colour = 'red'), 'warning');
  assert.equal(unknown.path, 'item1.colour');
});

test('landmarks at v = 1 with coordinates are fine', () => {
  const json = sample();
  json.item2.landmarks = json.item2.landmarks.map((value: number, i: number) => (i % 3 === 2 && value === 2 ? 1 : value));
  assert.deepEqual(checkAnnotation('/x/annos/000001.json', json, SAMPLE_IMAGE).problems, []);
});

test('a problem is one line; warnings say so; the error of a problem has the same text', () => {
  const problem = onlyProblem((j) => (j.item2.landmarks[14] = 3));
  const line = formatProblemLine(problem);
  assert.equal(line, '/x/annos/000001.json: item2.landmarks[14]: expected a visibility 0, 1 or 2 (landmark 5), found 3');
  assert.equal(problemError(problem).message, line);
  const warning = onlyProblem((j) => (j.item1.segmentation = []), 'warning');
  assert.equal(formatProblemLine(warning), 'warning: /x/annos/000001.json: item1.segmentation: expected at least one polygon, found an empty list');
  assert.equal(warningsOf([warning]).length, 1);
});

test('splitFileId takes exactly the names ANNOTATION_FILE_NAME and IMAGE_FILE_NAME match, with the same id', () => {
  const names = ['000001.json', '191961.json', '999999.jpg', '000000.jpg', '00001.json', '0000001.json', '000001.JSON', '000001.jpg.json', '00000a.json'];
  names.push('٠٠٠٠٠١.json', '000001.json ', ' 000001.json', '000001.json\n', '000001.jpeg', '.000001.json', '000001json', '');
  // And names made of the characters that matter, at random (seeded xorshift).
  let state = 0x2545f491;
  const next = (n: number): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % n;
  };
  const alphabet = '0123456789.jsonpgx/';
  for (let k = 0; k < 20_000; k++) {
    let name = '';
    const length = 8 + next(6);
    for (let c = 0; c < length; c++) name += c < 6 && next(10) !== 0 ? String(next(10)) : alphabet[next(alphabet.length)];
    names.push(name, `${name.slice(0, 6)}.json`, `${name.slice(0, 6)}.jpg`);
  }
  let matched = 0;
  for (const name of names) {
    for (const [extension, pattern] of [
      ['.json', ANNOTATION_FILE_NAME],
      ['.jpg', IMAGE_FILE_NAME],
    ] as const) {
      const match = pattern.exec(name);
      assert.equal(splitFileId(name, extension), match ? Number(match[1]) : -1, JSON.stringify(name));
      if (match) matched++;
    }
  }
  // Many names of each kind: about half the made-up ones match.
  assert.ok(matched > 10_000, `${matched} names matched`);
});
