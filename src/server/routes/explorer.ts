/** The explorer's API: splits, filtered pages of images, one image, its JPEG, pairs, statistics. */
import { Hono, type Context } from 'hono';
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, sep } from 'node:path';
import { Readable } from 'node:stream';
import { checkAnnotationFile } from '../../dataset/index.js';
import { ATTRIBUTES, CATEGORIES } from '../../schema/index.js';
import type { AppContext } from '../context.js';
import { FilterError, parseFilters } from '../explorer/filters.js';
import type { ImageRow, SplitInfo } from '../explorer/types.js';
import { thumbnail, thumbnailCachePath, thumbnailWidth } from '../explorer/thumbnails.js';
import { hasAnnotationFile, imageBase, imageJson } from '../explorer/image-json.js';
import { annotationReader, type ReadImage } from '../explorer/annotation-reader.js';
import { z } from 'zod';
import { currentUser, fail, intParam, jsonBody, requireAdmin, splitParam, SPLIT_NAME } from '../http.js';
import { scrubPaths } from './challenge.js';
import { registerSplitDir } from '../splits.js';
import type { ImageJson, ImagePageJson, MetaJson, PairJson, PairLinkJson, SplitJson, StatsJson } from '../../shared/api-types.js';
import { imageName } from '../../schema/index.js';
import { ignoreRejection } from '../../util/ignore-rejection.js';

const DIR_RULE = 'dir: expected an absolute directory path on the server';
const SPLIT_NAME_RULE = 'name: expected letters, digits, ".", "_" or "-"';
/** POST /splits (admins): a directory on the server, and the name to list it under (default: from the directory). */
const NEW_SPLIT_BODY = z.object({
  dir: z.string(DIR_RULE).refine((dir) => isAbsolute(dir), DIR_RULE),
  name: z.string(SPLIT_NAME_RULE).regex(SPLIT_NAME, SPLIT_NAME_RULE).optional(),
});

const DEFAULT_PER_PAGE = 48;
const MAX_PER_PAGE = 200;

/**
 * The real path of a file of the split, or undefined when it is missing or
 * lies outside the split's directory (a symbolic link out of it is not followed).
 */
async function fileInSplit(split: SplitInfo, relativePath: string): Promise<string | undefined> {
  const [root, file] = await Promise.all([realpath(split.dir).catch(() => undefined), realpath(join(split.dir, relativePath)).catch(() => undefined)]);
  return root && file && file.startsWith(root + sep) ? file : undefined;
}

/** An image row with its annotation file read, on this thread (the layers serve it so; the explorer's pages use the reader's threads). */
export async function readImage(split: SplitInfo, row: ImageRow): Promise<ImageJson> {
  if (!hasAnnotationFile(row)) return imageBase(row);
  return imageJson(row, await checkAnnotationFile(join(split.dir, 'annos', `${imageName(row.imageId)}.json`), undefined, false));
}

/** `fields` as JSON with `images` added: the reader's texts joined, not parsed and serialised again. */
function withImages(fields: object, images: readonly ReadImage[]): string {
  const head = JSON.stringify(fields);
  return `${head.slice(0, -1)}${head.length > 2 ? ',' : ''}"images":[${images.map((i) => i.json).join(',')}]}`;
}

/** A JSON response whose text is made already. */
const jsonText = (c: Context, text: string): Response => c.body(text, 200, { 'Content-Type': 'application/json' });

/** A split as anyone may see it; only admins see where it lives on the server (in indexing errors). */
function splitJson(ctx: AppContext, split: SplitInfo, admin = false): SplitJson {
  // A copy: the indexer's own record is not to be changed here.
  const indexing = { ...(ctx.indexer.status(split.name) ?? { state: split.indexedAt ? 'ready' : 'queued', done: 0, total: 0, changed: 0 }) };
  if (!admin && indexing.error !== undefined) indexing.error = scrubPaths(indexing.error, [[split.dir, split.name]]);
  return {
    name: split.name,
    images: split.images,
    items: split.items,
    bad_files: split.badFiles,
    indexed_at: split.indexedAt,
    indexing,
  };
}

export function explorerRoutes(ctx: AppContext): Hono {
  const app = new Hono();

  app.get('/meta', (c) =>
    c.json<MetaJson>({
      categories: CATEGORIES.map((cat) => ({
        id: cat.id,
        name: cat.annotationName,
        coco_name: cat.cocoName,
        landmarks: cat.landmarks,
        skeleton: cat.skeleton,
      })),
      attributes: ATTRIBUTES,
      tasks: ctx.settings.tasks,
      max_upload_bytes: ctx.settings.maxUploadBytes,
    }),
  );

  app.get('/splits', async (c) => {
    const admin = (await currentUser(ctx, c))?.admin === true;
    return c.json((await ctx.index.splits()).map((s) => splitJson(ctx, s, admin)));
  });

  // Adding a split names a directory on the server: admins only.
  app.post('/splits', async (c) => {
    await requireAdmin(ctx, c);
    const body = await jsonBody(c, NEW_SPLIT_BODY, '{"dir", "name"}');
    const dirStat = await stat(join(body.dir, 'annos')).catch(() => undefined);
    if (!dirStat?.isDirectory()) return fail(400, `dir: expected a split directory with annos/, found none in ${body.dir}`);
    const split = await registerSplitDir(ctx, body.dir, body.name);
    return c.json(splitJson(ctx, split), 201);
  });

  app.post('/splits/:split/reindex', async (c) => {
    await requireAdmin(ctx, c);
    const split = await splitParam(ctx, c.req.param('split'));
    void ignoreRejection(ctx.indexer.enqueue(split), "a failed run is shown in the split's indexing status");
    return c.json(splitJson(ctx, split), 202);
  });

  app.get('/splits/:split/bad-files', async (c) => {
    const split = await splitParam(ctx, c.req.param('split'));
    return c.json(await ctx.index.badFiles(split.id, 1000));
  });

  const filtersOf = (c: { req: { query(name: string): string | undefined } }) => {
    try {
      return parseFilters((name) => c.req.query(name));
    } catch (err) {
      if (err instanceof FilterError) return fail(400, err.message);
      throw err;
    }
  };

  app.get('/images', async (c) => {
    const split = await splitParam(ctx, c.req.query('split'));
    const filters = filtersOf(c);
    const page = c.req.query('page') === undefined ? 1 : Math.max(1, intParam('page', c.req.query('page'), 7));
    const perPage = c.req.query('per_page') === undefined ? DEFAULT_PER_PAGE : intParam('per_page', c.req.query('per_page'), 3);
    if (perPage < 1 || perPage > MAX_PER_PAGE) return fail(400, `per_page: expected 1..${MAX_PER_PAGE}`);
    const { total, images } = await ctx.index.queryImages(split.id, filters, (page - 1) * perPage, perPage);
    const read = await annotationReader.read(split.dir, images);
    return jsonText(c, withImages({ split: split.name, total, page, per_page: perPage } satisfies Omit<ImagePageJson, 'images'>, read));
  });

  app.get('/facets', async (c) => {
    const split = await splitParam(ctx, c.req.query('split'));
    return c.json(await ctx.index.facetCounts(split.id, filtersOf(c)));
  });

  app.get('/images/:split/:id', async (c) => {
    const split = await splitParam(ctx, c.req.param('split'));
    const row = await ctx.index.image(split.id, intParam('id', c.req.param('id'), 6));
    if (!row) return fail(404, 'no such image in this split');
    const [image] = await annotationReader.read(split.dir, [row]);
    return jsonText(c, image!.json);
  });

  app.get('/images/:split/:id/image', async (c) => {
    const split = await splitParam(ctx, c.req.param('split'));
    const id = intParam('id', c.req.param('id'), 6);
    const row = await ctx.index.image(split.id, id);
    if (!row || !row.hasImage) return fail(404, 'no image file for this id');
    const source = await fileInSplit(split, join('image', `${imageName(id)}.jpg`));
    if (!source) return fail(404, 'no image file for this id');
    const headers = { 'content-type': 'image/jpeg', 'cache-control': 'private, max-age=3600' };
    const w = c.req.query('w');
    if (w !== undefined) {
      const width = thumbnailWidth(intParam('w', w, 5));
      const bytes = await thumbnail(source, thumbnailCachePath(ctx.settings.thumbnailsDir, split.id, width, id), width).catch(() =>
        fail(404, 'the image file could not be read'),
      );
      return new Response(new Uint8Array(bytes), { headers });
    }
    const s = await stat(source).catch(() => fail(404, 'the image file is missing'));
    return new Response(Readable.toWeb(createReadStream(source)) as ReadableStream, { headers: { ...headers, 'content-length': String(s.size) } });
  });

  app.get('/pairs/:split/:pairId', async (c) => {
    const split = await splitParam(ctx, c.req.param('split'));
    const pairId = intParam('pair_id', c.req.param('pairId'));
    const rows = await ctx.index.imagesOfPair(split.id, pairId);
    const images = await annotationReader.read(split.dir, rows);
    // Positive pairs: a consumer item and a shop item of this pair_id with the same style > 0.
    const links: PairLinkJson[] = [];
    const shops = rows.flatMap((row, k) => (row.source === 'shop' ? [{ id: row.imageId, items: images[k]!.styles }] : []));
    rows.forEach((u, k) => {
      if (u.source !== 'user') return;
      for (const [userKey, style] of images[k]!.styles) {
        if (style <= 0) continue;
        for (const s of shops) {
          for (const [shopKey, shopStyle] of s.items) {
            if (shopStyle === style) links.push({ style, user: { image: u.imageId, item: userKey }, shop: { image: s.id, item: shopKey } });
          }
        }
      }
    });
    return jsonText(c, withImages({ split: split.name, pair_id: pairId, links } satisfies Omit<PairJson, 'images'>, images));
  });

  app.get('/stats/:split', async (c) => {
    const split = await splitParam(ctx, c.req.param('split'));
    return c.json<StatsJson>({ split: split.name, ...(await ctx.index.stats(split.id)) });
  });

  return app;
}
