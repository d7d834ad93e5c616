/** RLE masks, polygons and IoU, bit-identical to the COCO mask API (maskApi.c). */
export { RleFormatError } from './errors.js';
export { type Rle, rleEncode, rleDecode, rleArea, rleToBbox, rlePixelBounds, rleMerge, rleCheck } from './rle.js';
export { rleToString, rleFromString } from './codec.js';
export { rleFromPolygon, rleFromBox } from './polygon.js';
export { rleFromSegmentation } from './segmentation.js';
export { rleIou, boxIou, xywhIou } from './iou.js';
