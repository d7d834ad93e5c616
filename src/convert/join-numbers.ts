/**
 * Numbers joined into text, with runs of zeros taken from a cache. COCO
 * keypoint vectors (882 numbers) and YOLO pose lines (882 + 4) are mostly the
 * zeros of other categories' landmarks; formatting those once instead of for
 * every item makes converting the train split several times faster.
 */

const runs = new Map<string, string>();

/** `zero` repeated n times, joined by `separator`; cached. */
function zeroRun(zero: string, separator: string, n: number): string {
  const key = `${zero}\u0000${separator}\u0000${n}`;
  let run = runs.get(key);
  if (run === undefined) {
    run = new Array<string>(n).fill(zero).join(separator);
    runs.set(key, run);
  }
  return run;
}

const isPlusZero = (v: number): boolean => v === 0 && !Object.is(v, -0);

/** `values` written with `format` and joined by `separator`; every +0 is written as `zero`. */
export function joinNumbers(values: ArrayLike<number>, separator: string, zero: string, format: (v: number) => string): string {
  let text = '';
  for (let i = 0; i < values.length;) {
    if (i > 0) text += separator;
    if (isPlusZero(values[i]!)) {
      let end = i + 1;
      while (end < values.length && isPlusZero(values[end]!)) end++;
      text += zeroRun(zero, separator, end - i);
      i = end;
    } else {
      text += format(values[i]!);
      i++;
    }
  }
  return text;
}
