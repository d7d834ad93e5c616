/** An annotation record as the explorer's index keeps it (no geometry; landmark visibility counted). */
import type { ImageRecord } from '../../schema/index.js';
import type { IndexedImage } from './types.js';

export function indexedImage(record: ImageRecord, mtimeMs: number, size: number): IndexedImage {
  return {
    imageId: record.id,
    source: record.source,
    pairId: record.pairId,
    width: record.width,
    height: record.height,
    hasImage: record.imagePath !== undefined,
    mtimeMs,
    size,
    items: record.items.map((item) => {
      let visible = 0,
        occluded = 0;
      for (let k = 2; k < item.landmarks.length; k += 3) {
        if (item.landmarks[k] === 2) visible++;
        else if (item.landmarks[k] === 1) occluded++;
      }
      return {
        categoryId: item.categoryId,
        style: item.style,
        scale: item.scale,
        occlusion: item.occlusion,
        zoomIn: item.zoomIn,
        viewpoint: item.viewpoint,
        visible,
        occluded,
      };
    }),
  };
}
