/**
 * A mask that cannot be read: a malformed compressed RLE string, run lengths
 * that do not cover the image, a segmentation of an unknown shape. The reason
 * is short and says what was wrong; callers that know the file and entry wrap
 * it in an InputError.
 */
export class RleFormatError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'RleFormatError';
  }
}

/** Largest h*w an RLE can describe: run lengths are 32-bit unsigned, as in maskApi. */
const MAX_RLE_AREA = 0xffffffff;

/** Checks an RLE size [height, width]: non-negative integers whose product fits a run length. */
export function checkRleSize(height: number, width: number): void {
  if (!Number.isInteger(height) || !Number.isInteger(width) || height < 0 || width < 0) {
    throw new RleFormatError(`size must be two non-negative integers, found [${height}, ${width}]`);
  }
  if (height * width > MAX_RLE_AREA) {
    throw new RleFormatError(`size ${height}x${width} exceeds ${MAX_RLE_AREA} pixels`);
  }
}
