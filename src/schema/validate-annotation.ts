/**
 * Checks one per-image annotation (`annos/NNNNNN.json`) and turns it into a
 * typed ImageAnnotation, or lists every problem found: each names the file,
 * the JSON path (e.g. `item2.landmarks[14]`), what was expected and what was
 * found, like zod's issues.
 *
 * What is an error and what only a warning follows the real release: landmarks
 * with v = 1 and coordinates, boxes that touch the image border, several
 * overlapping polygons per item, two-point polygons and items without a
 * single labelled landmark all occur there. Warnings are things that are legal but probably unintended;
 * they never stop reading. An item without a labelled landmark is not even a
 * warning: about 1% of the release's items are so (the landmark evaluation
 * ignores them, as the release's does), and df2's synthetic splits imitate
 * that, so a warning would fire hundreds of times on clean data.
 */
import { basename } from 'node:path';
import { ATTRIBUTE_NAMES, categoryByAnnotationName, categoryById, type Category } from './categories.js';
import type { Corners, ImageAnnotation, Item, Source } from './annotation.js';
import { InputError, describe, formatProblem, pathJoin } from '../util/errors.js';
import { isJsonObject as isObject, isFiniteNumber } from '../util/json-guards.js';

export interface Problem {
  file: string;
  /** JSON path inside the file, e.g. `item2.landmarks[14]`; '' for the file as a whole. */
  path: string;
  expected: string;
  found: string;
  severity: 'error' | 'warning';
}

/** The file names of a split: six digits, the image id (splitFileId reads them faster). */
export const ANNOTATION_FILE_NAME = /^(\d{6})\.json$/;
export const IMAGE_FILE_NAME = /^(\d{6})\.jpg$/;

/**
 * The image id a split's file is named by: six digits, then `.json` (annos/)
 * or `.jpg` (image/); -1 for any other name. Written out rather than a
 * regular expression: a listing of the train split runs it 191,961 times
 * before any file is read, and this is 10-20x faster.
 *
 * @example
 * splitFileId('000123.json', '.json'); // 123
 * splitFileId('123.json', '.json'); // -1
 */
export function splitFileId(name: string, extension: '.json' | '.jpg'): number {
  if (name.length !== 6 + extension.length || !name.endsWith(extension)) return -1;
  let id = 0;
  for (let k = 0; k < 6; k++) {
    const digit = name.charCodeAt(k) - 48;
    if (digit < 0 || digit > 9) return -1;
    id = id * 10 + digit;
  }
  return id;
}
/** Keys of items inside an annotation file: item1, item2, ... */
export const ITEM_KEY = /^item\d+$/;

/** The largest id a JSON number holds exactly (Number.MAX_SAFE_INTEGER). */
const MAX_ID_TEXT = '2^53 - 1';

const TOP_LEVEL_FIELDS = new Set(['source', 'pair_id']);
const ITEM_FIELDS = new Set(['category_id', 'category_name', 'style', 'bounding_box', 'landmarks', 'segmentation', ...ATTRIBUTE_NAMES]);

/** One problem as a line: `FILE: PATH: expected X, found Y`; warnings start with "warning: ". */
export function formatProblemLine(problem: Problem): string {
  const line = formatProblem(problem.file, problem.path, problem.expected, problem.found);
  return problem.severity === 'warning' ? `warning: ${line}` : line;
}

/** The InputError whose message is the problem's line (for readers that stop at the first error). */
export function problemError(problem: Problem): InputError {
  return new InputError(problem.file, problem.path, problem.expected, problem.found);
}

/**
 * Checks the parsed JSON of one annotation file. `file` names the file in
 * problems and gives the image id (its six-digit name). With `image`, boxes
 * are also checked against the image size. `record` is set when there is no
 * error (warnings allowed); items keep the file's key order.
 */
export function checkAnnotation(file: string, json: unknown, image?: { width: number; height: number }): { record?: ImageAnnotation; problems: Problem[] } {
  const report = new ProblemList(file);
  const name = basename(file);
  const id = splitFileId(name, '.json');
  if (id < 0) report.error('', 'a six-digit file name like 000001.json', JSON.stringify(name));

  if (!isObject(json)) {
    report.error('', 'a JSON object with source, pair_id and item1..itemN', describe(json));
    return { problems: report.problems };
  }

  const source = json.source;
  if (source !== 'user' && source !== 'shop') report.error('source', '"user" or "shop"', describe(source));
  const pairId = json.pair_id;
  // Beyond 2^53 a JSON number loses digits (it would be rounded on output): not an id.
  if (!Number.isSafeInteger(pairId)) report.error('pair_id', `an integer (at most ${MAX_ID_TEXT})`, describe(pairId));

  const items: Item[] = [];
  let itemKeys = 0;
  for (const key of Object.keys(json)) {
    if (ITEM_KEY.test(key)) {
      itemKeys++;
      const item = checkItem(report, key, json[key], image);
      if (item) items.push(item);
    } else if (!TOP_LEVEL_FIELDS.has(key)) {
      report.warning(pathJoin('', key), 'only source, pair_id and item1..itemN', 'an unknown key');
    }
  }
  if (itemKeys === 0) report.error('', 'at least one item (item1, item2, ...)', 'none');

  if (report.errors > 0 || id < 0) return { problems: report.problems };
  return {
    record: { id, source: source as Source, pairId: pairId as number, items },
    problems: report.problems,
  };
}

/** Checks one item; returns it typed when it has no error. */
function checkItem(report: ProblemList, key: string, value: unknown, image?: { width: number; height: number }): Item | undefined {
  if (!isObject(value)) {
    report.error(key, 'an object with category_id, bounding_box, landmarks, ...', describe(value));
    return undefined;
  }
  const errorsBefore = report.errors;
  const at = (field: string): string => pathJoin(key, field);

  const category = checkCategory(report, key, value);
  const style = value.style;
  if (!Number.isSafeInteger(style) || (style as number) < 0) {
    report.error(at('style'), `an integer from 0 to ${MAX_ID_TEXT} (0 = cannot form a pair)`, describe(style));
  }
  for (const attribute of ATTRIBUTE_NAMES) {
    const v = value[attribute];
    if (!Number.isInteger(v) || (v as number) < 1 || (v as number) > 3) report.error(at(attribute), 'an integer 1..3', describe(v));
  }
  // Paths are built only for a problem: on clean files (nearly all) their strings were much of the check's time.
  checkBox(report, () => at('bounding_box'), value.bounding_box, image);
  checkLandmarks(report, () => at('landmarks'), value.landmarks, category);
  checkSegmentation(report, () => at('segmentation'), value.segmentation);
  for (const field of Object.keys(value)) {
    if (!ITEM_FIELDS.has(field)) report.warning(at(field), 'only the fields of an item (category_id, ..., viewpoint)', 'an unknown key');
  }

  if (report.errors > errorsBefore || !category) return undefined;
  return {
    key,
    categoryId: category.id,
    categoryName: category.annotationName,
    style: style as number,
    boundingBox: value.bounding_box as Corners,
    landmarks: value.landmarks as number[],
    segmentation: value.segmentation as number[][],
    scale: value.scale as number,
    occlusion: value.occlusion as number,
    zoomIn: value.zoom_in as number,
    viewpoint: value.viewpoint as number,
  };
}

/** category_id 1..13 and category_name the annotation name of that id ("short sleeve top"). */
function checkCategory(report: ProblemList, key: string, item: Record<string, unknown>): Category | undefined {
  const id = item.category_id;
  const name = item.category_name;
  const category = typeof id === 'number' ? categoryById(id) : undefined;
  if (!category) report.error(pathJoin(key, 'category_id'), 'an integer 1..13', describe(id));
  const namePath = (): string => pathJoin(key, 'category_name');
  if (typeof name !== 'string') {
    report.error(namePath(), category ? JSON.stringify(category.annotationName) : 'a category name like "short sleeve top"', describe(name));
  } else if (category && name !== category.annotationName) {
    report.error(namePath(), `${JSON.stringify(category.annotationName)} (the name of category_id ${category.id})`, describe(name));
  } else if (!category && !categoryByAnnotationName(name)) {
    report.error(namePath(), 'one of the 13 category names, like "short sleeve top"', describe(name));
  }
  return category;
}

/** A JSON path made only when a problem is reported. */
type LazyPath = () => string;

function checkBox(report: ProblemList, path: LazyPath, box: unknown, image?: { width: number; height: number }): void {
  if (!Array.isArray(box) || box.length !== 4 || !box.every(isFiniteNumber)) {
    report.error(path(), '[x1, y1, x2, y2]: 4 finite numbers', describeArray(box));
    return;
  }
  const [x1, y1, x2, y2] = box as Corners;
  const errorsBefore = report.errors;
  if (x2 < x1) report.error(path(), 'x2 >= x1', `x1 = ${x1}, x2 = ${x2}`);
  if (y2 < y1) report.error(path(), 'y2 >= y1', `y1 = ${y1}, y2 = ${y2}`);
  // Boxes may touch the border (x2 = width); the release has many that do.
  if (x1 < 0) report.error(`${path()}[0]`, 'x1 >= 0 (inside the image)', String(x1));
  if (y1 < 0) report.error(`${path()}[1]`, 'y1 >= 0 (inside the image)', String(y1));
  if (image && image.width > 0 && image.height > 0) {
    if (x2 > image.width) report.error(`${path()}[2]`, `x2 <= ${image.width} (the image width)`, String(x2));
    if (y2 > image.height) report.error(`${path()}[3]`, `y2 <= ${image.height} (the image height)`, String(y2));
  }
  if (report.errors === errorsBefore && (x2 === x1 || y2 === y1)) {
    report.warning(path(), 'a box of non-zero area', `${x2 - x1} x ${y2 - y1}`);
  }
}

function checkLandmarks(report: ProblemList, path: LazyPath, landmarks: unknown, category: Category | undefined): void {
  const wanted = (): string => (category ? `3 x ${category.landmarks} numbers (x, y, v per landmark of ${category.annotationName})` : 'x, y, v per landmark');
  if (!Array.isArray(landmarks)) {
    report.error(path(), `an array of ${wanted()}`, describe(landmarks));
    return;
  }
  reportNonNumbers(report, path, landmarks);
  if (category && landmarks.length !== 3 * category.landmarks) {
    report.error(path(), wanted(), `${landmarks.length} numbers`);
  } else if (!category && landmarks.length % 3 !== 0) {
    report.error(path(), 'a multiple of 3 numbers (x, y, v per landmark)', `${landmarks.length} numbers`);
  }
  for (let i = 0; i + 2 < landmarks.length; i += 3) {
    const x: unknown = landmarks[i];
    const y: unknown = landmarks[i + 1];
    const v: unknown = landmarks[i + 2];
    if (typeof v !== 'number') continue; // reported as a non-number above
    if (v !== 0 && v !== 1 && v !== 2) {
      report.error(`${path()}[${i + 2}]`, `a visibility 0, 1 or 2 (landmark ${i / 3 + 1})`, describe(v));
    } else if (v === 0 && (x !== 0 || y !== 0)) {
      report.error(`${path()}[${i}]`, `x = y = 0 for an unlabelled landmark (v = 0, landmark ${i / 3 + 1})`, `x = ${describe(x)}, y = ${describe(y)}`);
    }
  }
}

function checkSegmentation(report: ProblemList, path: LazyPath, segmentation: unknown): void {
  if (!Array.isArray(segmentation)) {
    report.error(path(), 'a list of polygons [[x1, y1, x2, y2, ...], ...]', describe(segmentation));
    return;
  }
  if (segmentation.length === 0) {
    report.warning(path(), 'at least one polygon', 'an empty list');
    return;
  }
  segmentation.forEach((polygon: unknown, p) => {
    const at = (): string => `${path()}[${p}]`;
    if (!Array.isArray(polygon)) {
      report.error(at(), 'a polygon [x1, y1, x2, y2, ...]', describe(polygon));
      return;
    }
    reportNonNumbers(report, at, polygon);
    const points = polygon.length / 2;
    if (polygon.length % 2 !== 0) {
      report.error(at(), 'an even number of values (x, y pairs)', `${polygon.length} values`);
    } else if (points < 2) {
      report.error(at(), 'a polygon of at least 3 points', `${points} point${points === 1 ? '' : 's'}`);
    } else if (points === 2) {
      // Two-point polygons (a line, no area) occur in the release; the
      // official mask code rasterises them. As the first polygon, COCO tools
      // read the whole list as boxes instead, which is worth a mention.
      const asBox = p === 0 ? ' (COCO tools read a first polygon of 4 numbers as a box)' : '';
      report.warning(at(), 'a polygon of at least 3 points', `2 points${asBox}`);
    }
  });
}

/** One problem for the first element that is not a finite number, saying how many more there are. */
function reportNonNumbers(report: ProblemList, path: LazyPath, values: unknown[]): void {
  let first = -1;
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    if (!isFiniteNumber(values[i])) {
      if (first < 0) first = i;
      count++;
    }
  }
  if (first < 0) return;
  const more = count > 1 ? ` (and ${count - 1} more non-numbers)` : '';
  report.error(`${path()}[${first}]`, 'a finite number', describe(values[first]) + more);
}

function describeArray(value: unknown): string {
  if (!Array.isArray(value)) return describe(value);
  const bad = value.findIndex((v) => !isFiniteNumber(v));
  return bad < 0 ? `${value.length} numbers` : `${describe(value[bad])} at [${bad}]`;
}

/** Problems of one file, in the order found. */
class ProblemList {
  readonly problems: Problem[] = [];
  errors = 0;
  constructor(private readonly file: string) {}
  error(path: string, expected: string, found: string): void {
    this.errors++;
    this.problems.push({ file: this.file, path, expected, found, severity: 'error' });
  }
  warning(path: string, expected: string, found: string): void {
    this.problems.push({ file: this.file, path, expected, found, severity: 'warning' });
  }
}
