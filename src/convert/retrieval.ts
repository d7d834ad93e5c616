/**
 * Consumer-to-shop retrieval ground truth in the formats of the release's
 * val_query.json / val_gallery.json: every item of a user image is a query,
 * every item of a shop image a gallery item, boxes as corners [x1, y1, x2, y2].
 * Items with style 0 are listed too (the evaluation skips them as queries; as
 * gallery items they can never be a hit but still occupy a detection).
 *
 * With attributes, queries carry scale, occlusion, zoom_in and viewpoint for
 * per-attribute evaluation (Table 9 of the release README); gallery entries
 * stay as they are, because the subsets are defined by the query alone.
 */
import type { Corners, ImageRecord, Item } from '../schema/index.js';
import { withAtomicWriter, type AtomicWriter } from '../util/atomic.js';
import { pyJson } from './py-json.js';

export interface RetrievalQuery {
  query_image_id: number;
  style: number;
  cls: number;
  pair_id: number;
  bbox: Corners;
  scale?: number;
  occlusion?: number;
  zoom_in?: number;
  viewpoint?: number;
}

export interface RetrievalGalleryItem {
  gallery_image_id: number;
  style: number;
  pair_id: number;
  bbox: Corners;
}

export function retrievalQuery(record: Pick<ImageRecord, 'id' | 'pairId'>, item: Item, attributes = false): RetrievalQuery {
  const query: RetrievalQuery = {
    query_image_id: record.id,
    style: item.style,
    cls: item.categoryId,
    pair_id: record.pairId,
    bbox: [...item.boundingBox],
  };
  if (attributes) {
    query.scale = item.scale;
    query.occlusion = item.occlusion;
    query.zoom_in = item.zoomIn;
    query.viewpoint = item.viewpoint;
  }
  return query;
}

export function retrievalGalleryItem(record: Pick<ImageRecord, 'id' | 'pairId'>, item: Item): RetrievalGalleryItem {
  return { gallery_image_id: record.id, style: item.style, pair_id: record.pairId, bbox: [...item.boundingBox] };
}

export interface RetrievalWriteSummary {
  queryImages: number;
  queries: number;
  galleryImages: number;
  galleryItems: number;
}

/** Streams a split to the query and gallery files; both appear only when both are complete. */
export async function writeRetrievalFiles(
  records: AsyncIterable<ImageRecord>,
  targets: { query: string; gallery: string },
  options: { attributes?: boolean } = {},
): Promise<RetrievalWriteSummary> {
  const summary: RetrievalWriteSummary = { queryImages: 0, queries: 0, galleryImages: 0, galleryItems: 0 };
  const list = (out: AtomicWriter) => {
    let first = true;
    return async (entry: object): Promise<void> => {
      await out.write((first ? '[' : ', ') + pyJson(entry));
      first = false;
    };
  };
  const close = async (out: AtomicWriter, count: number): Promise<void> => {
    await out.write(count === 0 ? '[]' : ']');
  };
  // Nested writers: the inner one commits first, so a failure while
  // committing the outer one could leave only the query file; that is
  // a disk failure at the very end, not bad input.
  await withAtomicWriter(targets.query, (queryOut) =>
    withAtomicWriter(targets.gallery, async (galleryOut) => {
      const addQuery = list(queryOut);
      const addGallery = list(galleryOut);
      for await (const record of records) {
        if (record.source === 'user') {
          summary.queryImages++;
          for (const item of record.items) {
            await addQuery(retrievalQuery(record, item, options.attributes));
            summary.queries++;
          }
        } else {
          summary.galleryImages++;
          for (const item of record.items) {
            await addGallery(retrievalGalleryItem(record, item));
            summary.galleryItems++;
          }
        }
      }
      await close(queryOut, summary.queries);
      await close(galleryOut, summary.galleryItems);
    }),
  );
  return summary;
}
