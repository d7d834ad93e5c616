/** An indexed image with its annotation file read, as the explorer's API serves it (ImageJson). */
import type { CheckedFile } from '../../dataset/index.js';
import { imageName } from '../../schema/index.js';
import type { ImageJson } from '../../shared/api-types.js';
import type { ImageRow } from './types.js';

/** The image's JSON without items (an images-only split's image, or before its file is read). */
export function imageBase(row: ImageRow): ImageJson {
  return {
    id: row.imageId,
    name: imageName(row.imageId),
    source: row.source,
    pair_id: row.pairId,
    width: row.width,
    height: row.height,
    has_image: row.hasImage,
    items: [],
  };
}

/** The image's JSON from its row and its checked annotation file (`error` when the file no longer reads). */
export function imageJson(row: ImageRow, file: CheckedFile): ImageJson {
  const base = imageBase(row);
  const record = file.record;
  if (!record) {
    const first = file.problems.find((p) => p.severity === 'error');
    return { ...base, error: first ? `${first.path}: expected ${first.expected}, found ${first.found}` : 'unreadable' };
  }
  base.items = record.items.map((it) => ({
    key: it.key,
    category_id: it.categoryId,
    category_name: it.categoryName,
    style: it.style,
    bounding_box: it.boundingBox,
    landmarks: it.landmarks,
    segmentation: it.segmentation,
    scale: it.scale,
    occlusion: it.occlusion,
    zoom_in: it.zoomIn,
    viewpoint: it.viewpoint,
  }));
  return base;
}

/** Whether an image has an annotation file to read (an images-only split's images have none). */
export const hasAnnotationFile = (row: ImageRow): boolean => row.source !== 'unknown';
