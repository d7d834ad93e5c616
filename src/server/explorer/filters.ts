/**
 * The explorer's filters: parsed from query parameters (every value checked,
 * unknown values refused) into a plain object, which the split's in-memory
 * model (split-model.ts) evaluates; no filter value ever reaches SQL text.
 *
 * Item filters (category, style, scale, occlusion, zoom_in, viewpoint) must
 * hold for one and the same item of an image; image filters (source, pair_id,
 * number of items) for the image. Several values of one filter mean "any of".
 */
import { ATTRIBUTE_NAMES, NUM_CATEGORIES } from '../../schema/index.js';

type StyleClass = 'zero' | 'positive';

export interface ImageFilters {
  category?: number[];
  source?: ('user' | 'shop')[];
  pairId?: number;
  style?: StyleClass[];
  scale?: number[];
  occlusion?: number[];
  zoomIn?: number[];
  viewpoint?: number[];
  /** Number of items in the image. */
  items?: number[];
}

export { ITEM_FACETS, type Facet } from '../../shared/facets.js';

export class FilterError extends Error {}

function intList(name: string, raw: string, min: number, max: number): number[] {
  const values = raw
    .split(',')
    .filter((s) => s !== '')
    .map((s) => {
      if (!/^\d{1,9}$/.test(s)) throw new FilterError(`${name}: expected integers ${min}..${max}, found ${JSON.stringify(s.slice(0, 20))}`);
      const n = Number(s);
      if (n < min || n > max) throw new FilterError(`${name}: expected integers ${min}..${max}, found ${n}`);
      return n;
    });
  return [...new Set(values)].sort((a, b) => a - b);
}

function oneOf<T extends string>(name: string, raw: string, allowed: readonly T[]): T[] {
  const values = raw
    .split(',')
    .filter((s) => s !== '')
    .map((s) => {
      if (!(allowed as readonly string[]).includes(s))
        throw new FilterError(`${name}: expected one of ${allowed.join(', ')}, found ${JSON.stringify(s.slice(0, 20))}`);
      return s as T;
    });
  return [...new Set(values)].sort();
}

/** Reads filters from query parameters; throws FilterError naming the bad parameter. */
export function parseFilters(query: (name: string) => string | undefined): ImageFilters {
  const filters: ImageFilters = {};
  const get = (name: string): string | undefined => {
    const v = query(name);
    return v === undefined || v === '' ? undefined : v;
  };
  let raw: string | undefined;
  if ((raw = get('category'))) filters.category = intList('category', raw, 1, NUM_CATEGORIES);
  if ((raw = get('source'))) filters.source = oneOf('source', raw, ['shop', 'user'] as const);
  if ((raw = get('pair_id'))) {
    if (!/^\d{1,9}$/.test(raw)) throw new FilterError(`pair_id: expected an integer, found ${JSON.stringify(raw.slice(0, 20))}`);
    filters.pairId = Number(raw);
  }
  if ((raw = get('style'))) filters.style = oneOf('style', raw, ['positive', 'zero'] as const);
  for (const attr of ATTRIBUTE_NAMES) {
    if ((raw = get(attr))) filters[attr === 'zoom_in' ? 'zoomIn' : attr] = intList(attr, raw, 1, 3);
  }
  if ((raw = get('items'))) filters.items = intList('items', raw, 0, 1000);
  return filters;
}
