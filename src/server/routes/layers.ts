/**
 * The explorer's layers: a results file or a finished submission drawn over
 * a split, each prediction and ground-truth item marked as the official
 * matching marks it (keypoints: each landmark's kind in the landmark error
 * analysis), the grid filtered and sorted by per-image errors (or by how
 * much a second layer's counts differ, `against=LAYER&sort=difference`),
 * and retrieval queries explained step by step.
 */
import { Hono, type Context } from 'hono';
import type { AppContext } from '../context.js';
import { FilterError, parseFilters } from '../explorer/filters.js';
import { currentUser, fail, intParam, splitParam } from '../http.js';
import { readImage } from './explorer.js';
import { statNames } from '../challenge/tasks.js';
import { InputError } from '../../util/errors.js';
import { LayerCache, type LayerData } from '../layers/cache.js';
import { findLayer, visibleLayers, type LayerSource } from '../layers/sources.js';
import { cellImages as cellImagesOf, groundTruthOf, predictionsOf } from '../layers/coco-layer.js';
import { explainedJson, retrievalPredictions } from '../layers/retrieval-layer.js';
import type { SplitInfo } from '../explorer/types.js';
import { LANDMARK_ERROR_FILTERS } from '../../shared/layer-types.js';
import type {
  GroundTruthState,
  LandmarkKindName,
  LayerImageJson,
  LayerImagePageJson,
  LayerJson,
  LayerSummaryJson,
  RetrievalExplainedJson,
  TallyJson,
} from '../../shared/layer-types.js';

const DEFAULT_PER_PAGE = 48;
const MAX_PER_PAGE = 200;
const LAYER_ID = /^(file-[A-Za-z0-9][A-Za-z0-9_.-]{0,63}|sub-\d{1,9})$/;

const ERROR_FILTERS = ['fp', 'fn', 'any'] as const;
const ERROR_SORTS = ['fp', 'fn', 'errors', 'difference'] as const;

/** How much two layers' counts of an image differ, as df2 compare ranks images: |Δtp| + |Δfp| + |Δfn|. */
function tallyDifference(a: TallyJson, b: TallyJson): number {
  return Math.abs(a.tp - b.tp) + Math.abs(a.fp - b.fp) + Math.abs(a.fn - b.fn);
}

const layerJson = ({ id, name, task, source, user }: LayerSource): LayerJson => ({ id, name, task, source, ...(user ? { user } : {}) });

/** Which images pass the error filter, and the order of the sort (most first, then by id). */
function selectByErrors(
  ids: readonly number[],
  tallyOf: (id: number) => TallyJson,
  errors: (typeof ERROR_FILTERS)[number] | undefined,
  sort: (typeof ERROR_SORTS)[number] | undefined,
  /** For sort=difference: the other layer's counts of the image. */
  otherTallyOf?: (id: number) => TallyJson,
): number[] {
  const keep = ids.filter((id) => {
    const t = tallyOf(id);
    return errors === 'fp' ? t.fp > 0 : errors === 'fn' ? t.fn > 0 : errors === 'any' ? t.fp + t.fn > 0 : true;
  });
  if (!sort) return keep;
  const key = (id: number): number => {
    const t = tallyOf(id);
    if (sort === 'difference') return otherTallyOf ? tallyDifference(t, otherTallyOf(id)) : 0;
    return sort === 'fp' ? t.fp : sort === 'fn' ? t.fn : t.fp + t.fn;
  };
  return keep.sort((a, b) => key(b) - key(a) || a - b);
}

function imageLayerJson(data: LayerData, imageId: number): LayerImageJson {
  if (data.kind === 'coco') {
    const landmarkCounts = data.perImage.get(imageId)?.landmarkCounts;
    return {
      image_id: imageId,
      tally: data.perImage.get(imageId)?.tally ?? { tp: 0, fp: 0, fn: 0 },
      metric: data.metric,
      predictions: predictionsOf(data, imageId),
      ground_truth: groundTruthOf(data, imageId),
      ...(landmarkCounts ? { landmark_counts: { ...landmarkCounts } } : {}),
    };
  }
  const entry = data.perImage.get(imageId);
  const groundTruth: Record<string, GroundTruthState> = {};
  for (const q of entry?.queries ?? []) groundTruth[q.item] = q.verdict === 'hit' ? 'matched' : q.verdict === 'not-counted' ? 'ignored' : 'missed';
  return {
    image_id: imageId,
    tally: entry?.tally ?? { tp: 0, fp: 0, fn: 0 },
    metric: 'IoU',
    predictions: retrievalPredictions(data, imageId),
    ground_truth: groundTruth,
    queries: entry?.queries ?? [],
  };
}

export function layerRoutes(ctx: AppContext): Hono {
  const app = new Hono();
  const cache = new LayerCache(ctx.settings.layersDir);

  const layerOf = async (c: Context): Promise<LayerSource> => {
    const id = c.req.param('layer') ?? '';
    if (!LAYER_ID.test(id)) return fail(400, 'layer: expected a layer id (file-NAME or sub-ID)');
    const layer = await findLayer(ctx, id, await currentUser(ctx, c));
    if (!layer) return fail(404, 'no such layer (or not yours to see)');
    return layer;
  };
  const load = async (layer: LayerSource, split: SplitInfo): Promise<LayerData> => {
    try {
      return await cache.get(layer, split);
    } catch (err) {
      // Bad input (results file or split) in one line, without server-side paths.
      if (err instanceof InputError) {
        const where = err.file === layer.file ? `layer ${layer.name}` : `split ${split.name}`;
        return fail(400, `${where}: ${err.entry ? `${err.entry}: ` : ''}expected ${err.expected}${err.found ? `, found ${err.found}` : ''}`);
      }
      throw err;
    }
  };

  app.get('/layers', async (c) => c.json<LayerJson[]>((await visibleLayers(ctx, await currentUser(ctx, c))).map(layerJson)));

  app.get('/layers/:layer/summary', async (c) => {
    const layer = await layerOf(c);
    const split = await splitParam(ctx, c.req.query('split'));
    const data = await load(layer, split);
    const totals: TallyJson = { tp: 0, fp: 0, fn: 0 };
    let withFp = 0,
      withFn = 0;
    for (const { tally } of data.perImage.values()) {
      totals.tp += tally.tp;
      totals.fp += tally.fp;
      totals.fn += tally.fn;
      if (tally.fp > 0) withFp++;
      if (tally.fn > 0) withFn++;
    }
    let landmarks: LayerSummaryJson['landmarks'];
    if (data.kind === 'coco' && data.landmarkKinds) {
      const zero = (): Record<LandmarkKindName, number> => ({ good: 0, jitter: 0, inversion: 0, swap: 0, miss: 0 });
      landmarks = { counts: zero(), images: zero() };
      for (const { landmarkCounts } of data.perImage.values())
        for (const [kind, n] of Object.entries(landmarkCounts ?? {}) as [LandmarkKindName, number][]) {
          landmarks.counts[kind] += n;
          if (n > 0) landmarks.images[kind]++;
        }
    }
    return c.json<LayerSummaryJson>({
      layer: layerJson(layer),
      split: split.name,
      stat_names: statNames(layer.task),
      stats: data.stats,
      totals,
      images_with_fp: withFp,
      images_with_fn: withFn,
      ...(landmarks ? { landmarks } : {}),
      ...(data.kind === 'coco' && data.confusion ? { confusion: { labels: data.confusion.labels, matrix: data.confusion.matrix } } : {}),
    });
  });

  app.get('/layers/:layer/images', async (c) => {
    const layer = await layerOf(c);
    const split = await splitParam(ctx, c.req.query('split'));
    let filters;
    try {
      filters = parseFilters((name) => c.req.query(name));
    } catch (err) {
      if (err instanceof FilterError) return fail(400, err.message);
      throw err;
    }
    const errors = c.req.query('errors') || undefined;
    const landmarkKind = (LANDMARK_ERROR_FILTERS as readonly string[]).includes(errors ?? '') ? (errors as LandmarkKindName) : undefined;
    if (errors !== undefined && !landmarkKind && !(ERROR_FILTERS as readonly string[]).includes(errors))
      return fail(400, `errors: expected one of ${[...ERROR_FILTERS, ...LANDMARK_ERROR_FILTERS].join(', ')}`);
    const sort = c.req.query('sort') || undefined;
    if (sort !== undefined && !(ERROR_SORTS as readonly string[]).includes(sort)) return fail(400, `sort: expected one of ${ERROR_SORTS.join(', ')}`);
    const page = c.req.query('page') === undefined ? 1 : Math.max(1, intParam('page', c.req.query('page'), 7));
    const perPage = c.req.query('per_page') === undefined ? DEFAULT_PER_PAGE : intParam('per_page', c.req.query('per_page'), 3);
    if (perPage < 1 || perPage > MAX_PER_PAGE) return fail(400, `per_page: expected 1..${MAX_PER_PAGE}`);
    const cell = c.req.query('confusion') || undefined;
    if (cell !== undefined && !/^\d{1,2},\d{1,2}$/.test(cell)) return fail(400, 'confusion: expected ROW,COL (indices into the matrix labels)');
    const againstId = c.req.query('against') || undefined;
    if (againstId !== undefined && !LAYER_ID.test(againstId)) return fail(400, 'against: expected a layer id (file-NAME or sub-ID)');
    if (sort === 'difference' && againstId === undefined) return fail(400, 'sort: difference needs a second layer (against=LAYER)');
    const againstLayer = againstId === undefined ? undefined : await findLayer(ctx, againstId, await currentUser(ctx, c));
    if (againstId !== undefined && !againstLayer) return fail(404, 'against: no such layer (or not yours to see)');
    const data = await load(layer, split);
    const other = againstLayer ? await load(againstLayer, split) : undefined;
    // Retrieval counts queries found and gallery items unused, COCO layers detections: their differences mean nothing.
    if (other && other.kind !== data.kind)
      return fail(400, `against: ${againstLayer!.id} is a ${other.kind} layer and ${layer.id} a ${data.kind} one (compare layers of one kind)`);
    if (landmarkKind && (data.kind !== 'coco' || !data.landmarkKinds)) return fail(400, `errors: ${landmarkKind} is a landmark error (keypoints layers only)`);
    let cellImages: Map<number, number> | undefined;
    if (cell !== undefined) {
      if (data.kind !== 'coco' || !data.confusion) return fail(400, 'confusion: this layer has no confusion matrix (bbox and segm only)');
      const [row, col] = cell.split(',').map(Number) as [number, number];
      if (row >= data.confusion.labels.length || col >= data.confusion.labels.length)
        return fail(400, `confusion: expected indices below ${data.confusion.labels.length}`);
      cellImages = cellImagesOf(data, row, col);
    }
    // The index filters (every matching image), the layer's errors (and confusion cell) narrow and order them.
    const all = await ctx.index.queryImages(split.id, filters, 0, Math.max(1, split.images) * 2 + 1000);
    const rows = new Map(all.images.filter((r) => !cellImages || cellImages.has(r.imageId)).map((r) => [r.imageId, r]));
    const zero: TallyJson = { tp: 0, fp: 0, fn: 0 };
    // A landmark kind keeps the images with at least one landmark of that kind (keypoints layers).
    const candidates = landmarkKind
      ? [...rows.keys()].filter((id) => data.kind === 'coco' && (data.perImage.get(id)?.landmarkCounts?.[landmarkKind] ?? 0) > 0)
      : [...rows.keys()];
    const otherTally = other ? (id: number): TallyJson => other.perImage.get(id)?.tally ?? zero : undefined;
    const ids = selectByErrors(
      candidates,
      (id) => data.perImage.get(id)?.tally ?? zero,
      landmarkKind ? undefined : (errors as never),
      sort as never,
      otherTally,
    );
    const shown = ids.slice((page - 1) * perPage, page * perPage);
    const images = await Promise.all(
      shown.map(async (id) => {
        const json = imageLayerJson(data, id);
        if (cellImages) json.confusion_count = cellImages.get(id) ?? 0;
        const second = other ? imageLayerJson(other, id) : undefined;
        return {
          ...(await readImage(split, rows.get(id)!)),
          layer: json,
          ...(second ? { layer_b: second, difference: tallyDifference(json.tally, second.tally) } : {}),
        };
      }),
    );
    return c.json<LayerImagePageJson>({
      split: split.name,
      layer: layer.id,
      ...(againstLayer ? { against: againstLayer.id } : {}),
      total: ids.length,
      page,
      per_page: perPage,
      images,
    });
  });

  app.get('/layers/:layer/images/:split/:id', async (c) => {
    const layer = await layerOf(c);
    const split = await splitParam(ctx, c.req.param('split'));
    const id = intParam('id', c.req.param('id'), 6);
    const row = await ctx.index.image(split.id, id);
    if (!row) return fail(404, 'no such image in this split');
    return c.json<LayerImageJson>(imageLayerJson(await load(layer, split), id));
  });

  app.get('/layers/:layer/queries/:split/:query', async (c) => {
    const layer = await layerOf(c);
    if (layer.task !== 'retrieval') return fail(400, 'layer: expected a retrieval layer');
    const split = await splitParam(ctx, c.req.param('split'));
    const data = await load(layer, split);
    if (data.kind !== 'retrieval') return fail(400, 'layer: expected a retrieval layer');
    const q = intParam('query', c.req.param('query'));
    if (q >= data.inputs.queries.items.length) return fail(404, `no query ${q} in this split (it has ${data.inputs.queries.items.length})`);
    const explained = explainedJson(data, split.name, layer.id, q);
    const ids = new Set([
      explained.query_image_id,
      ...explained.retrieved.map((r) => r.gallery_image_id),
      ...explained.ground_truth_gallery.map((g) => g.gallery_image_id),
    ]);
    const images: RetrievalExplainedJson['images'] = {};
    for (const id of ids) {
      const row = await ctx.index.image(split.id, id);
      if (row) images[id] = { width: row.width, height: row.height, has_image: row.hasImage };
    }
    return c.json<RetrievalExplainedJson>({ ...explained, images });
  });

  return app;
}
