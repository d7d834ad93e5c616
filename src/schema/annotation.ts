/**
 * The per-image annotation of the release (`annos/NNNNNN.json`) as typed
 * records. Validation (turning unknown JSON into these records, or a list of
 * problems) lives in validate-annotation.ts.
 */

export type Source = 'user' | 'shop';
/** [x1, y1, x2, y2] in pixels, as the release writes boxes. */
export type Corners = [number, number, number, number];

export interface Item {
  /** The key in the file, e.g. "item2". Items keep the file's key order. */
  key: string;
  categoryId: number;
  /** As written in the file, e.g. "short sleeve top". */
  categoryName: string;
  /** 0 = cannot form a pair; > 0 = the style shared with matching items of the same pair_id. */
  style: number;
  boundingBox: Corners;
  /** [x, y, v] per landmark of the category (v: 2 visible, 1 occluded, 0 unlabelled). */
  landmarks: number[];
  /** Polygons, each [x1, y1, x2, y2, ...]. */
  segmentation: number[][];
  scale: number;
  occlusion: number;
  zoomIn: number;
  viewpoint: number;
}

export interface ImageAnnotation {
  /** The image id: the six-digit number of the file name. */
  id: number;
  source: Source;
  pairId: number;
  items: Item[];
}

/** An annotation together with where it came from and its image's size. */
export interface ImageRecord extends ImageAnnotation {
  /** e.g. "000001" */
  name: string;
  annoPath: string;
  /** Path of the JPEG, or undefined when the image is missing. */
  imagePath: string | undefined;
  /** From the image header; 0 when the image is missing or sizes were not read (readSplit's imageSizes: false). An unreadable image is an error. */
  width: number;
  height: number;
}

/** The release's file stem for an image id: six digits, e.g. 12 -> "000012" (annos/000012.json, image/000012.jpg). */
export const imageName = (id: number): string => String(id).padStart(6, '0');
