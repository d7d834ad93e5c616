/**
 * A synthetic image as the text of a release annotation file. The layout is
 * the release's own (Python's json.dump: ", " and ": " separators, one line,
 * item fields in the release's order), so files look like the real ones and
 * the same image always gives the same bytes.
 */
import { categoryById } from '../schema/index.js';
import type { SynthImage, SynthItem } from './scene.js';

const list = (values: readonly number[]): string => `[${values.join(', ')}]`;

function itemJson(item: SynthItem): string {
  const category = categoryById(item.categoryId);
  if (!category) throw new Error(`no category ${item.categoryId}`);
  return (
    `{"segmentation": [${item.segmentation.map(list).join(', ')}], ` +
    `"scale": ${item.scale}, "viewpoint": ${item.viewpoint}, "zoom_in": ${item.zoomIn}, ` +
    `"landmarks": ${list(item.landmarks)}, "style": ${item.style}, "bounding_box": ${list(item.boundingBox)}, ` +
    `"category_id": ${item.categoryId}, "occlusion": ${item.occlusion}, ` +
    `"category_name": ${JSON.stringify(category.annotationName)}}`
  );
}

/** The annotation file's text for one image, keys in `image.keyOrder`. */
export function annotationJson(image: SynthImage): string {
  const fields = image.keyOrder.map((key) => {
    if (key === 'source') return `"source": ${JSON.stringify(image.source)}`;
    if (key === 'pair_id') return `"pair_id": ${image.pairId}`;
    const item = image.items[Number(key.slice(4)) - 1];
    if (!item) throw new Error(`no ${key} in image ${image.id}`);
    return `${JSON.stringify(key)}: ${itemJson(item)}`;
  });
  return `{${fields.join(', ')}}`;
}

/** Six-digit file stem of an image id: 1 -> "000001". */
