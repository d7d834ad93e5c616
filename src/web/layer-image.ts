/**
 * The image page with a layer: the layer's predictions drawn over the image
 * in the colors of their verdicts, and beside it the list of predictions
 * (score, verdict, IoU or OKS, the item matched), the ground-truth items'
 * verdicts, and for retrieval the image's queries with a link to each one's
 * explanation.
 */
import type { ImageJson, Meta } from './api.js';
import { h } from './dom.js';
import { layerApi } from './layer-api.js';
import { layerOverlay, STATE_COLORS, STATE_LABELS, stateLegend, tallyBadges } from './layer-overlay.js';
import { href } from './router.js';

const QUERY_VERDICTS: Record<string, string> = {
  hit: 'found',
  'no-hit': 'not in the top 20',
  'no-detection': 'no detection stands for it',
  'not-counted': 'style 0: not a query',
};

export async function layerImageSection(split: string, image: ImageJson, params: URLSearchParams, figure: HTMLElement, m: Meta): Promise<HTMLElement | null> {
  const layerId = params.get('layer');
  if (!layerId) return null;
  const [data, layers] = await Promise.all([layerApi.image(layerId, split, image.id), layerApi.list()]);
  const layer = layers.find((l) => l.id === layerId);
  const svg = layerOverlay(image, data, m.categories, { labels: true, masks: true, landmarks: true });
  figure.append(svg);
  const mark = (index: number | undefined): void => {
    for (const g of svg.querySelectorAll<SVGGElement>('g.pred')) g.classList.toggle('highlight', g.dataset.pred === String(index));
    svg.classList.toggle('has-highlight', index !== undefined);
  };
  const without = new URLSearchParams(params);
  without.delete('layer');
  const rows = data.predictions.map((p) =>
    h(
      'tr',
      {
        'data-pred': p.index,
        'data-state': p.state,
        onmouseenter: () => mark(p.index),
        onmouseleave: () => mark(undefined),
      },
      h('td', null, h('span', { class: 'legend-swatch', style: `background: ${STATE_COLORS[p.state]}` })),
      h('td', null, m.categories[p.category_id - 1]?.name ?? p.category_id),
      h('td', { class: 'num' }, p.score.toFixed(3)),
      h('td', null, STATE_LABELS[p.state]),
      h('td', { class: 'num' }, p.best === null ? '–' : p.best.toFixed(3)),
      h('td', null, p.matched_item ?? ''),
    ),
  );
  const gt = Object.entries(data.ground_truth);
  return h(
    'section',
    { class: 'layer-panel', id: 'layer-panel', 'data-layer': layerId },
    h('h3', null, `Layer: ${layer?.name ?? layerId}`, ' ', tallyBadges(data.tally)),
    stateLegend(layer?.task ?? ''),
    h('p', { class: 'hint' }, h('a', { href: href('image', [split, image.id], without) }, 'hide the layer')),
    data.queries
      ? h(
          'div',
          null,
          h('h4', null, 'Queries of this image'),
          data.queries.length === 0 ? h('p', { class: 'muted' }, 'None: a shop image, or no items.') : null,
          h(
            'ul',
            { id: 'layer-queries' },
            data.queries.map((q) =>
              h(
                'li',
                { 'data-verdict': q.verdict },
                h(
                  'a',
                  { href: href('query', [split, q.query], { layer: layerId }) },
                  `${q.item}: ${QUERY_VERDICTS[q.verdict]}${q.verdict === 'hit' ? ` at rank ${q.first_hit_rank}` : ''}`,
                ),
              ),
            ),
          ),
        )
      : null,
    h('h4', null, `Predictions (${data.predictions.length})`),
    data.predictions.length > 0
      ? h(
          'table',
          { class: 'compact layer-predictions', id: 'layer-predictions' },
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              h('th', null, ''),
              h('th', null, 'category'),
              h('th', null, 'score'),
              h('th', null, 'verdict'),
              h('th', null, `best ${data.metric}`),
              h('th', null, 'matched'),
            ),
          ),
          h('tbody', null, rows),
        )
      : h('p', { class: 'muted' }, 'None in this image.'),
    gt.length > 0 && !data.queries
      ? h(
          'p',
          { class: 'layer-gt' },
          'Ground truth: ',
          gt.map(([key, state], i) => [
            i > 0 ? ', ' : '',
            h('span', { 'data-item': key, 'data-state': state, style: `color: ${STATE_COLORS[state]}` }, `${key} ${STATE_LABELS[state]}`),
          ]),
        )
      : null,
  );
}
