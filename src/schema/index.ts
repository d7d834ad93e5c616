/**
 * df2's data model: the release's per-image annotation as typed records, the
 * 13 categories with their landmark layout and OKS sigmas, the four item
 * attributes, and the retrieval files' entries, with validators that turn
 * unknown JSON into these records or into problems naming file, entry and
 * field.
 *
 * @example
 * ```ts
 * import { checkAnnotation, categoryById, formatProblemLine } from 'df2/schema';
 * const { record, problems } = checkAnnotation('annos/000001.json', JSON.parse(text));
 * for (const p of problems) console.log(formatProblemLine(p));
 * console.log(record?.items.map((item) => categoryById(item.categoryId)?.cocoName));
 * ```
 */
export { imageName, type Corners, type ImageAnnotation, type ImageRecord, type Item, type Source } from './annotation.js';
export {
  ATTRIBUTE_NAMES,
  ATTRIBUTES,
  CATEGORIES,
  CATEGORY_IDS,
  KEYPOINT_VECTOR_LENGTH,
  LANDMARK_FLIP,
  NUM_CATEGORIES,
  OKS_SIGMAS,
  TOTAL_LANDMARKS,
  categoryByAnnotationName,
  categoryByCocoName,
  categoryById,
  type AttributeName,
  type Category,
} from './categories.js';
export { ANNOTATION_FILE_NAME, IMAGE_FILE_NAME, splitFileId, checkAnnotation, formatProblemLine, problemError, type Problem } from './validate-annotation.js';
export {
  MAX_RETRIEVED,
  parseGalleryItem,
  parseQueryItem,
  parseRetrievalResult,
  type GalleryItem,
  type QueryItem,
  type RetrievalResultRecord,
} from './retrieval.js';
export { InputError } from '../util/errors.js';
