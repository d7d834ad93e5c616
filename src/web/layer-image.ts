/**
 * The image page with a layer: the layer's predictions drawn over the image
 * in the colors of their verdicts, and beside it the list of predictions
 * (score, verdict, IoU or OKS, the item matched), the ground-truth items'
 * verdicts, and for retrieval the image's queries with a link to each one's
 * explanation.
 */
import type { ImageJson, Meta } from './api.js';
import type { LayerQueryJson, PredictionJson } from '../shared/layer-types.js';
import { h } from './dom.js';
import { layerApi } from './layer-api.js';
import { isRetrieval, labelsOf, landmarkLegend, layerOverlay, STATE_COLORS, stateLegend, tallyBadges } from './layer-overlay.js';
import { href } from './router.js';

/** A query's outcome in the words of the layer's counts (found, not found). */
function queryOutcome(q: LayerQueryJson): string {
  return q.verdict === 'hit' ? `found at rank ${q.first_hit_rank}` : q.verdict === 'not-counted' ? 'not a query (style 0)' : 'not found';
}

/** The outcome and why. */
function queryOutcomeWhy(q: LayerQueryJson): string {
  if (q.verdict === 'no-hit') return 'not found: not in the top 20';
  if (q.verdict === 'no-detection') return 'not found: no detection stands for it';
  return queryOutcome(q);
}

export async function layerImageSection(
  split: string,
  image: ImageJson,
  params: URLSearchParams,
  figure: HTMLElement,
  m: Meta,
  /** 'B': the second of two layers side by side (its panel says so and has no "hide" link of its own). */
  side?: 'B',
): Promise<HTMLElement | null> {
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
  without.delete('against');
  const retrieval = isRetrieval(data);
  const labels = labelsOf(retrieval);
  // Retrieval: a detection stands for a query (whose outcome is the query's) or is unused.
  const standsFor = (p: PredictionJson): string => {
    const q = data.queries?.find((x) => x.item === p.matched_item);
    return p.matched_item ? `stands for ${p.matched_item}${q ? `, ${queryOutcome(q)}` : ''}` : 'unused: stands for no query';
  };
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
      retrieval
        ? h('td', null, standsFor(p))
        : [h('td', null, labels[p.state]), h('td', { class: 'num' }, p.best === null ? '–' : p.best.toFixed(3)), h('td', null, p.matched_item ?? '')],
    ),
  );
  const gt = Object.entries(data.ground_truth);
  return h(
    'section',
    { class: 'layer-panel', id: side ? 'layer-panel-b' : 'layer-panel', 'data-layer': layerId },
    h('h3', null, `${side ? 'B · ' : ''}Layer: ${layer?.name ?? layerId}`, ' ', tallyBadges(data.tally, retrieval)),
    stateLegend(layer?.task ?? ''),
    data.landmark_counts ? landmarkLegend() : null,
    side ? null : h('p', { class: 'hint' }, h('a', { href: href('image', [split, image.id], without) }, 'hide the layer')),
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
              h('li', { 'data-verdict': q.verdict }, h('a', { href: href('query', [split, q.query], { layer: layerId }) }, `${q.item}: ${queryOutcomeWhy(q)}`)),
            ),
          ),
        )
      : null,
    h('h4', null, `${retrieval ? 'Detections' : 'Predictions'} (${data.predictions.length})`),
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
              retrieval ? h('th', null, 'what the protocol did') : [h('th', null, 'verdict'), h('th', null, `best ${data.metric}`), h('th', null, 'matched')],
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
            // A swatch beside dark text: light verdict colours (sky blue) are not legible as text.
            h(
              'span',
              { 'data-item': key, 'data-state': state, class: 'gt-verdict' },
              h('span', { class: 'legend-swatch', style: `background: ${STATE_COLORS[state]}` }),
              ` ${key} ${labels[state]}`,
            ),
          ]),
        )
      : null,
  );
}
