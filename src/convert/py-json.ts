/**
 * JSON text the way Python's `json.dump` writes it with default settings:
 * separators ", " and ": ", non-ASCII escaped as \uXXXX, and floats in
 * Python's repr (`12.0`, `1e-05`). The release's converter builds keypoints
 * with numpy (`np.zeros(...).tolist()`), so they come out as floats while
 * every other number keeps the type it had in the annotation file. Writing
 * the same text keeps df2's files byte-comparable with the release's.
 */
import { joinNumbers } from './join-numbers.js';

/** A number as Python's `repr(float(n))` writes it: "0.0", "138.0", "0.1", "1e-05", "1e+16". */
export function pyFloat(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0';
  // Pixel coordinates are integers: the common case, and the cheap one.
  if (Number.isInteger(n) && Math.abs(n) < 1e16) return `${n}.0`;
  // toExponential() without an argument gives the shortest round-trip digits,
  // the same digits Python's repr chooses; only the layout differs.
  const [mantissa, exponentText] = n.toExponential().split('e') as [string, string];
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 16) {
    const sign = exponent < 0 ? '-' : '+';
    const digits = String(Math.abs(exponent)).padStart(2, '0');
    return `${mantissa}e${sign}${digits}`;
  }
  return String(n); // plain notation in this exponent range, as Python's
}

/** A number as Python writes it when it is an int (integral values) or a float (others). */
function pyNumber(n: number): string {
  return Number.isInteger(n) && Math.abs(n) < 1e16 ? String(n) : pyFloat(n);
}

/** A string with json.dump's ensure_ascii escaping. */
function pyString(s: string): string {
  // JSON.stringify escapes quotes, backslashes and control characters as Python does
  // (\n, \t, ... and \u00XX); Python additionally escapes everything past ASCII.
  return JSON.stringify(s).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Object keys repeat in every entry of a big file; their text is made once. */
const keyTexts = new Map<string, string>();
function pyKey(key: string): string {
  let text = keyTexts.get(key);
  if (text === undefined) {
    text = pyString(key);
    if (keyTexts.size < 10_000) keyTexts.set(key, text);
  }
  return text;
}

/** A list of numbers written as Python floats: "[0.0, 138.0, 2.0]". */
export function pyFloatList(values: ArrayLike<number>): string {
  return `[${joinNumbers(values, ', ', '0.0', pyFloat)}]`;
}

/**
 * Any plain JSON value (object, array, string, number, boolean, null) as
 * Python's json.dump writes it. Object keys keep their insertion order.
 * Arrays under keys named in `floatKeys` are written as float lists.
 */
export function pyJson(value: unknown, floatKeys?: ReadonlySet<string>): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'number':
      return pyNumber(value);
    case 'string':
      return pyString(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      throw new TypeError(`pyJson: cannot write a ${typeof value}`);
  }
  if (Array.isArray(value)) {
    let text = '[';
    for (let i = 0; i < value.length; i++) text += (i === 0 ? '' : ', ') + pyJson(value[i], floatKeys);
    return text + ']';
  }
  let text = '{';
  let first = true;
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === undefined) continue;
    const written = floatKeys?.has(key) && Array.isArray(v) ? pyFloatList(v as number[]) : pyJson(v, floatKeys);
    text += `${first ? '' : ', '}${pyKey(key)}: ${written}`;
    first = false;
  }
  return text + '}';
}
