/**
 * Retrieval explained (#/query/SPLIT/Q?layer=ID): one query item's path
 * through the official protocol, as the server's explainQuery reports it —
 * the detections of its image and which one stands for it (and why), the
 * top-20 shop items it retrieved with the hits and the ground-truth gallery
 * items marked, and the rank of the first hit or why the query is missed.
 */
import { imageUrl, type Meta } from './api.js';
import { h, imageName, s, type Child } from './dom.js';
import { layerApi, type RetrievalExplainedJson } from './layer-api.js';
import { STATE_COLORS } from './layer-overlay.js';
import { href, type PageContext } from './router.js';
import { meta } from './state.js';

type Box = [number, number, number, number];
const TOP_K = [1, 5, 10, 15, 20];

/** An image with corner boxes drawn over it. */
function boxedImage(
  split: string,
  e: RetrievalExplainedJson,
  imageId: number,
  boxes: { box: Box; color: string; dashed?: boolean; label?: string }[],
  width?: number,
): HTMLElement {
  const size = e.images[imageId] ?? { width: 0, height: 0, has_image: false };
  const w = size.width || 1,
    hh = size.height || 1;
  const unit = Math.max(1, Math.max(w, hh) / 500);
  const svg = s(
    'svg',
    { class: 'overlay', viewBox: `0 0 ${w} ${hh}`, preserveAspectRatio: 'none' },
    boxes.map((b) => {
      const [x1, y1, x2, y2] = b.box;
      return s(
        'g',
        null,
        s('rect', {
          x: x1,
          y: y1,
          width: x2 - x1,
          height: y2 - y1,
          fill: 'none',
          stroke: b.color,
          'stroke-width': unit * 2.5,
          'stroke-dasharray': b.dashed ? `${unit * 6} ${unit * 4}` : null,
        }),
        b.label ? s('text', { x: x1 + unit * 3, y: y1 + unit * 14, 'font-size': unit * 13, fill: b.color, 'font-weight': 700, class: 'label' }, b.label) : null,
      );
    }),
  );
  const img = h('img', { src: size.has_image ? imageUrl(split, imageId, width) : '', alt: `image ${imageName(imageId)}`, loading: 'lazy' });
  return h('div', { class: 'figure', style: `aspect-ratio: ${w} / ${hh}` }, img, svg);
}

function candidateReason(e: RetrievalExplainedJson, c: RetrievalExplainedJson['candidates'][number], m: Meta): string {
  const cat = (id: number): string => `${id} ${m.categories[id - 1]?.name ?? ''}`;
  switch (c.verdict) {
    case 'chosen':
      return 'stands for this query: assigned here, right class, highest score among those';
    case 'assigned-elsewhere':
      return `assigned to ${c.assigned_item ?? `query ${c.assigned_query}`} (higher IoU with that item)`;
    case 'wrong-class':
      return `assigned here, but its class ${cat(c.cls)} is not the query's ${cat(e.category_id)}`;
    case 'lower-score':
      return 'assigned here with the right class, but another detection scores higher';
    case 'query-not-counted':
      return 'assigned here, but the query has style 0';
  }
}

function outcomeText(e: RetrievalExplainedJson): string {
  switch (e.verdict) {
    case 'not-counted':
      return 'This item has style 0: it cannot form a pair, so it is not a query of the benchmark (neither in the hits nor in the denominator).';
    case 'no-detection':
      return 'No detection of the image was assigned to this item with its class: the query is missed. It stays in the denominator of every top-k and is never a hit.';
    case 'no-hit':
      return `None of the ${e.retrieved.length} retrieved items is a hit (a box with IoU >= 0.5 with a gallery item of pair ${e.pair_id} and style ${e.style}): the query counts as not found for every k.`;
    case 'hit': {
      const ks = TOP_K.filter((k) => k >= e.first_hit_rank);
      return `First hit at rank ${e.first_hit_rank}: the query counts as found for top-${ks.join(', top-')}${ks.length < TOP_K.length ? ` and as not found for top-${TOP_K.filter((k) => k < e.first_hit_rank).join(', top-')}` : ''}.`;
    }
  }
}

export async function retrievalExplainedPage({ route }: PageContext): Promise<Child> {
  const [split = '', queryText = ''] = route.args;
  const layerId = route.params.get('layer') ?? '';
  const m = await meta();
  const e = await layerApi.query(layerId, split, Number(queryText));
  const cat = m.categories[e.category_id - 1];
  const chosen = e.candidates.find((c) => c.verdict === 'chosen');

  const queryFigure = boxedImage(
    split,
    e,
    e.query_image_id,
    [
      { box: e.bbox, color: '#2563eb', dashed: true, label: e.item },
      ...e.candidates.map((c) => ({ box: c.bbox, color: c.verdict === 'chosen' ? STATE_COLORS.matched! : STATE_COLORS.ignored!, label: `#${c.row}` })),
    ],
    480,
  );
  const candidateRows = e.candidates.map((c) =>
    h(
      'tr',
      { 'data-row': c.row, 'data-verdict': c.verdict, class: c.verdict === 'chosen' ? 'chosen' : '' },
      h('td', null, `#${c.row}`),
      h('td', null, `${c.cls} ${m.categories[c.cls - 1]?.name ?? ''}`),
      h('td', { class: 'num' }, c.score.toFixed(3)),
      h('td', { class: 'num' }, c.iou.toFixed(3)),
      h('td', null, candidateReason(e, c, m)),
    ),
  );

  const gtImages = new Set(e.ground_truth_gallery.map((g) => g.gallery_image_id));
  const retrieved = e.retrieved.map((r) => {
    const gtHere = e.ground_truth_gallery.filter((g) => g.gallery_image_id === r.gallery_image_id);
    const state = r.hit ? 'hit' : r.gt_image ? 'near' : 'miss';
    return h(
      'a',
      {
        class: `rank-card ${state}`,
        href: href('image', [split, r.gallery_image_id]),
        'data-rank': r.rank,
        'data-hit': r.hit ? '1' : '0',
        'data-gt-image': r.gt_image ? '1' : '0',
      },
      boxedImage(
        split,
        e,
        r.gallery_image_id,
        [
          ...gtHere.map((g) => ({ box: g.bbox, color: '#2563eb', dashed: true })),
          { box: r.bbox, color: r.hit ? STATE_COLORS.matched! : STATE_COLORS['false-positive']! },
        ],
        240,
      ),
      h(
        'div',
        { class: 'rank-caption' },
        h('strong', null, `#${r.rank}`),
        ` ${imageName(r.gallery_image_id)} `,
        h('span', { class: 'muted' }, r.hit ? `hit: ${r.hit_item}` : r.gt_image ? 'right image, box IoU < 0.5' : 'not the pair'),
      ),
    );
  });
  const gtList = e.ground_truth_gallery.map((g) => {
    const rank = e.retrieved.find((r) => r.hit && r.gallery_image_id === g.gallery_image_id && r.hit_item === g.item)?.rank;
    return h(
      'a',
      { class: 'rank-card gt', href: href('image', [split, g.gallery_image_id]), 'data-gt': `${g.gallery_image_id}/${g.item}` },
      boxedImage(split, e, g.gallery_image_id, [{ box: g.bbox, color: '#2563eb', dashed: true }], 240),
      h(
        'div',
        { class: 'rank-caption' },
        `${imageName(g.gallery_image_id)} ${g.item} `,
        h('span', { class: 'muted' }, rank ? `found at rank ${rank}` : 'not retrieved'),
      ),
    );
  });

  return h(
    'div',
    { class: 'page retrieval-explained', 'data-verdict': e.verdict, 'data-first-hit': e.first_hit_rank },
    h(
      'nav',
      { class: 'crumbs' },
      h('a', { href: href('explore', [split], { layer: layerId }) }, `‹ ${split}`),
      ' / ',
      h('a', { href: href('image', [split, e.query_image_id], { layer: layerId }) }, `image ${imageName(e.query_image_id)}`),
      ' / ',
      `query ${e.query}`,
    ),
    h(
      'header',
      { class: 'page-head' },
      h('h1', null, `Query ${e.item} of image ${imageName(e.query_image_id)}`),
      h(
        'span',
        { class: `badge verdict-${e.verdict}`, id: 'query-verdict' },
        e.verdict === 'hit' ? `found at rank ${e.first_hit_rank}` : e.verdict.replace('-', ' '),
      ),
      h('span', { class: 'muted' }, `${cat?.name ?? e.category_id} · pair ${e.pair_id} · style ${e.style}`),
    ),
    h(
      'ol',
      { class: 'protocol-steps' },
      h(
        'li',
        { id: 'step-detection' },
        h('h2', null, 'Which detection stands for the query'),
        h(
          'p',
          { class: 'hint' },
          'Every detection is assigned to the query item of highest IoU in its image. A query is represented by the highest-scoring detection assigned to it with its class.',
        ),
        h(
          'div',
          { class: 'step-body' },
          h('div', { class: 'step-figure' }, queryFigure),
          h(
            'div',
            null,
            e.candidates.length > 0
              ? h(
                  'table',
                  { class: 'figures compact', id: 'candidates' },
                  h(
                    'thead',
                    null,
                    h(
                      'tr',
                      null,
                      h('th', null, 'detection'),
                      h('th', null, 'class'),
                      h('th', null, 'score'),
                      h('th', null, `IoU with ${e.item}`),
                      h('th', null, 'what the protocol did'),
                    ),
                  ),
                  h('tbody', null, candidateRows),
                )
              : h('p', null, 'The results have no detection in this image.'),
            h(
              'p',
              { id: 'chosen-text' },
              chosen
                ? `Detection #${chosen.row} (score ${chosen.score.toFixed(3)}, IoU ${chosen.iou.toFixed(3)}) stands for ${e.item}.`
                : e.verdict === 'not-counted'
                  ? 'Style 0: no detection stands for this item.'
                  : `No detection stands for ${e.item}: the query is missed.`,
            ),
          ),
        ),
      ),
      h(
        'li',
        { id: 'step-retrieved' },
        h('h2', null, `Its top ${e.retrieved.length} retrieved shop items`),
        h(
          'p',
          { class: 'hint' },
          `A rank is a hit when its box has IoU >= 0.5 with a gallery item of pair ${e.pair_id} and style ${e.style} in that image (blue dashed: those items).`,
        ),
        retrieved.length > 0
          ? h('div', { class: 'rank-grid', id: 'retrieved' }, retrieved)
          : h('p', { class: 'muted' }, 'Nothing retrieved: no detection stands for the query.'),
      ),
      h(
        'li',
        { id: 'step-gallery' },
        h('h2', null, `Ground-truth gallery items (${e.ground_truth_gallery.length})`),
        gtList.length > 0
          ? h('div', { class: 'rank-grid', id: 'gt-gallery' }, gtList)
          : h(
              'p',
              { class: 'muted' },
              gtImages.size === 0 && e.verdict !== 'not-counted' ? 'No gallery item has this pair_id and style: the query cannot be found.' : 'None.',
            ),
      ),
      h('li', { id: 'step-outcome' }, h('h2', null, 'Outcome'), h('p', { id: 'outcome-text' }, outcomeText(e))),
    ),
  );
}
