/**
 * The explorer's facets, in the order the app shows them: the one list that
 * the server (filter parsing, counts) and the browser app (the filter panel)
 * are both compiled against, so a facet added here reaches both.
 */
export const FACET_LIST = [
  { facet: 'category', param: 'category', title: 'Category', item: true },
  { facet: 'source', param: 'source', title: 'Source', item: false },
  { facet: 'style', param: 'style', title: 'Style', item: true },
  { facet: 'scale', param: 'scale', title: 'Scale', item: true },
  { facet: 'occlusion', param: 'occlusion', title: 'Occlusion', item: true },
  { facet: 'zoomIn', param: 'zoom_in', title: 'Zoom-in', item: true },
  { facet: 'viewpoint', param: 'viewpoint', title: 'Viewpoint', item: true },
  { facet: 'items', param: 'items', title: 'Items in image', item: false },
] as const;

/** A facet's name in the index and in count objects. */
export type Facet = (typeof FACET_LIST)[number]['facet'];
/** Facets that describe an item (they must hold for one and the same item of an image). */
export const ITEM_FACETS: readonly Facet[] = FACET_LIST.filter((f) => f.item).map((f) => f.facet);
