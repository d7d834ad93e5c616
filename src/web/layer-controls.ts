/**
 * The explorer's layer controls: pick a layer (a results file or a finished
 * submission), filter and sort the grid by per-image false positives and
 * misses (keypoints: by landmark error kind too), see the layer's figures, and decorate each card with its
 * predictions and counts.
 */
import type { ImageJson, ImagePage, Meta } from './api.js';
import { count, errorBox, figureCell, h } from './dom.js';
import { layerApi, type LayerImageJson, type LayerImagePageJson, type LayerJson, type LayerSummaryJson } from './layer-api.js';
import { isRetrieval, landmarkLegend, layerOverlay, stateLegend, tallyBadges } from './layer-overlay.js';
import type { OverlayOptions } from './overlay.js';
import { VERDICT_COLORS } from '../shared/colors.js';

/** '#rrggbb' at an opacity, for shading table cells. */
const tint = (hex: string, alpha: number): string => `rgba(${[1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)).join(', ')}, ${alpha})`;

/** Query parameters of the explore page that belong to layers. */
export const LAYER_PARAMS = ['layer', 'against', 'errors', 'sort', 'confusion'];

const ERROR_FILTERS: [string, string][] = [
  ['', 'all images'],
  ['fp', 'with false positives'],
  ['fn', 'with misses'],
  ['any', 'with any error'],
];
/** Keypoints layers also filter by the landmark error analysis's kinds. */
const LANDMARK_FILTERS: [string, string][] = [
  ['jitter', 'with a jittered landmark'],
  ['inversion', 'with an inversion'],
  ['swap', 'with a swap'],
  ['miss', 'with a missed landmark'],
];
const SORTS: [string, string][] = [
  ['', 'image id'],
  ['errors', 'most errors'],
  ['fp', 'most false positives'],
  ['fn', 'most misses'],
];
/** With a second layer: the images where the two layers' counts differ most (|Δtp| + |Δfp| + |Δfn|, as df2 compare ranks them). */
const DIFFERENCE_SORT: [string, string] = ['difference', 'differs most from B'];

function select(id: string, label: string, options: [string, string][], current: string, onChange: (v: string) => void): HTMLElement {
  const el = h(
    'select',
    { id, 'aria-label': label },
    options.map(([value, text]) => {
      const o = h('option', { value }, text);
      o.selected = value === current;
      return o;
    }),
  );
  el.addEventListener('change', () => onChange(el.value));
  return h('label', { class: 'layer-select' }, `${label} `, el);
}

/** Layer, error filter and sort pickers; `navigate` gets the page's new parameters. */
function layerToolbar(layers: LayerJson[], params: URLSearchParams, navigate: (p: URLSearchParams) => void): HTMLElement | null {
  if (layers.length === 0) return null;
  const set = (name: string, value: string, clear: string[] = []): void => {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    for (const c of [...clear, 'page']) next.delete(c);
    navigate(next);
  };
  const layer = params.get('layer') ?? '';
  // A second layer (B) compared with the first (A): the grid sorts by where they differ, the image page shows both.
  const against = params.get('against') ?? '';
  const task = layers.find((l) => l.id === layer)?.task;
  const keypoints = task === 'keypoints' || task === 'keypoints_visible';
  const option = (l: LayerJson): [string, string] => [l.id, `${l.name} (${l.task}${l.user ? `, ${l.user}` : ''})`];
  const options: [string, string][] = [['', 'none'], ...layers.map(option)];
  // B is a layer of the same kind: a retrieval layer counts queries, the others detections (the server refuses a mix).
  const sameKind = (l: LayerJson): boolean => l.id !== layer && (l.task === 'retrieval') === (task === 'retrieval');
  const choicesB: [string, string][] = [['', 'none'], ...layers.filter(sameKind).map(option)];
  return h(
    'div',
    { class: 'layer-toolbar', id: 'layer-toolbar' },
    select('layer-picker', 'Layer', options, layer, (v) => set('layer', v, v ? [] : ['errors', 'sort', 'confusion', 'against'])),
    layer
      ? select('errors-filter', 'Show', keypoints ? [...ERROR_FILTERS, ...LANDMARK_FILTERS] : ERROR_FILTERS, params.get('errors') ?? '', (v) =>
          set('errors', v),
        )
      : null,
    layer ? select('errors-sort', 'Sort by', against ? [...SORTS, DIFFERENCE_SORT] : SORTS, params.get('sort') ?? '', (v) => set('sort', v)) : null,
    layer ? select('against-picker', 'B', choicesB, against, (v) => set('against', v, v || params.get('sort') !== 'difference' ? [] : ['sort'])) : null,
  );
}

/** The layer's official figures on this split and its error counts. */
function layerSummary(summary: LayerSummaryJson, extra: HTMLElement | null): HTMLElement {
  const t = summary.totals;
  const retrieval = summary.layer.task === 'retrieval';
  return h(
    'section',
    { class: 'layer-summary', id: 'layer-summary', 'data-layer': summary.layer.id },
    h(
      'div',
      { class: 'layer-summary-head' },
      h('strong', null, summary.layer.name),
      h('span', { class: 'muted' }, ` ${summary.layer.task} on ${summary.split}`),
      stateLegend(summary.layer.task),
      summary.landmarks ? landmarkLegend() : null,
    ),
    h(
      'table',
      { class: 'figures compact', 'data-table': 'layer-stats' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          summary.stat_names.map((n) => h('th', null, n)),
          h('th', null, retrieval ? 'found' : 'TP'),
          h('th', null, retrieval ? 'unused' : 'FP'),
          h('th', null, retrieval ? 'not found' : 'FN'),
        ),
      ),
      h(
        'tbody',
        null,
        h(
          'tr',
          null,
          summary.stats.map((v) => figureCell(v)),
          h('td', { class: 'num', 'data-value': t.tp }, count(t.tp)),
          h('td', { class: 'num', 'data-value': t.fp }, count(t.fp)),
          h('td', { class: 'num', 'data-value': t.fn }, count(t.fn)),
        ),
      ),
    ),
    h(
      'p',
      { class: 'hint' },
      retrieval
        ? `Counts per consumer image: queries found in the top 20, detections standing for no query, queries not found (${count(summary.images_with_fn)} images).`
        : `From the official matching at ${summary.layer.task === 'keypoints' || summary.layer.task === 'keypoints_visible' ? 'OKS' : 'IoU'} .50, area all: ${count(summary.images_with_fp)} images with false positives, ${count(summary.images_with_fn)} with misses.`,
    ),
    summary.landmarks
      ? h(
          'p',
          { class: 'hint', 'data-landmarks': JSON.stringify(summary.landmarks.counts) },
          `Landmark error analysis (detections matched at OKS 0.1): ${(['good', 'jitter', 'inversion', 'swap', 'miss'] as const)
            .map((k) => `${count(summary.landmarks!.counts[k])} ${k}`)
            .join(', ')}; images with an inversion: ${count(summary.landmarks.images.inversion)}, a swap: ${count(summary.landmarks.images.swap)}.`,
        )
      : null,
    extra,
  );
}

/**
 * The detection confusion matrix as a heat map (rows: predicted category,
 * columns: ground truth, last: background); clicking a cell narrows the grid
 * to the images holding that confusion.
 */
function confusionTable(
  meta: Meta,
  confusion: NonNullable<LayerSummaryJson['confusion']>,
  params: URLSearchParams,
  navigate: (p: URLSearchParams) => void,
): HTMLElement {
  const name = (label: number | 'background'): string => (label === 'background' ? 'background' : (meta.categories[label - 1]?.name ?? String(label)));
  const selected = params.get('confusion');
  const max = Math.max(1, ...confusion.matrix.flatMap((row, r) => row.filter((_v, c) => c !== r)));
  const choose = (cell: string | undefined): void => {
    const next = new URLSearchParams(params);
    if (cell) next.set('confusion', cell);
    else next.delete('confusion');
    next.delete('page');
    navigate(next);
  };
  const [sr, sc] = (selected ?? '').split(',').map(Number);
  return h(
    'details',
    { class: 'confusion-box', open: selected !== null || undefined },
    h('summary', null, 'Confusion matrix (score > 0.25, box IoU > 0.45): click a cell to list its images'),
    selected !== null
      ? h(
          'p',
          { class: 'hint', id: 'confusion-selected' },
          `Showing images where ${name(confusion.labels[sr!]!)} was predicted for ${name(confusion.labels[sc!]!)}. `,
          h('button', { class: 'link', type: 'button', onclick: () => choose(undefined) }, 'show all'),
        )
      : null,
    h(
      'table',
      { class: 'confusion compact', id: 'confusion' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          h('th', null, 'pred \\ gt'),
          confusion.labels.map((l) => h('th', { title: name(l) }, l === 'background' ? 'bg' : l)),
        ),
      ),
      h(
        'tbody',
        null,
        confusion.matrix.map((row, r) =>
          h(
            'tr',
            null,
            h(
              'th',
              { title: name(confusion.labels[r]!) },
              `${confusion.labels[r] === 'background' ? 'bg' : confusion.labels[r]} ${name(confusion.labels[r]!)}`,
            ),
            row.map((v, c) => {
              // Off-diagonal cells shaded by count in the false positives' colour, the diagonal (agreement) in the matches'.
              const alpha = v === 0 ? 0 : 0.12 + 0.7 * Math.min(1, v / (r === c ? Math.max(...confusion.matrix.map((x, i) => x[i]!)) || 1 : max));
              const color = tint(r === c ? VERDICT_COLORS.matched : VERDICT_COLORS['false-positive'], alpha);
              return h(
                'td',
                {
                  class: `cell${r === sr && c === sc ? ' selected' : ''}`,
                  style: `background: ${color}`,
                  'data-cell': `${r},${c}`,
                  'data-value': v,
                  title: `${name(confusion.labels[r]!)} predicted for ${name(confusion.labels[c]!)}: ${v}`,
                  onclick: () => {
                    if (v > 0) choose(`${r},${c}`);
                  },
                },
                v === 0 ? '' : count(v),
              );
            }),
          ),
        ),
      ),
    ),
  );
}

/** Adds the layer's predictions and counts to a grid card. */
export function decorateCard(
  card: HTMLElement,
  image: ImageJson & { layer?: LayerImageJson; layer_b?: LayerImageJson; difference?: number },
  meta: Meta,
  options: OverlayOptions,
): void {
  if (!image.layer) return;
  card
    .querySelector('.figure')
    ?.append(layerOverlay(image, image.layer, meta.categories, { labels: false, masks: options.masks, landmarks: options.landmarks }));
  card
    .querySelector('.card-caption')
    ?.after(
      h(
        'div',
        { class: 'card-tally' },
        tallyBadges(image.layer.tally, isRetrieval(image.layer)),
        image.layer_b
          ? h('span', { class: 'card-tally-b', 'data-difference': image.difference ?? 0 }, ' B: ', tallyBadges(image.layer_b.tally, isRetrieval(image.layer_b)))
          : null,
        image.layer.confusion_count !== undefined
          ? h('span', { class: 'muted', title: 'entries of the chosen confusion cell' }, ` ${image.layer.confusion_count}× this confusion`)
          : null,
      ),
    );
  card.dataset.fp = String(image.layer.tally.fp);
  card.dataset.fn = String(image.layer.tally.fn);
}

/**
 * The explore page's images: the layer's page when a layer is chosen (its
 * error filter, sort and confusion cell applied), else `plain`.
 */
export function layerImagePage(
  params: URLSearchParams,
  split: string,
  filters: Record<string, string>,
  page: number,
  perPage: number,
  plain: () => Promise<ImagePage>,
): Promise<ImagePage | LayerImagePageJson> {
  const layer = params.get('layer');
  if (!layer) return plain();
  const query = {
    errors: params.get('errors') ?? '',
    sort: params.get('sort') ?? '',
    confusion: params.get('confusion') ?? '',
    against: params.get('against') ?? '',
  };
  // A layer that cannot be opened still leaves the grid (its error shows in the summary's place).
  return layerApi.images(layer, { split, ...filters, ...query, page, per_page: perPage }).catch(plain);
}

/** The toolbar's layer pickers and the layer's summary (or why it could not be opened). */
export async function layerControls(
  m: Meta,
  split: string,
  params: URLSearchParams,
  navigate: (p: URLSearchParams) => void,
): Promise<{ toolbar: HTMLElement | null; summary: HTMLElement | null }> {
  const layer = params.get('layer');
  const [layers, summary] = await Promise.all([layerApi.list(), layer ? layerApi.summary(layer, split).catch((err: Error) => err) : undefined]);
  const toolbar = layerToolbar(layers, params, navigate);
  if (!summary) return { toolbar, summary: null };
  if (summary instanceof Error) return { toolbar, summary: errorBox(`Layer ${layer}: ${summary.message}`) };
  return { toolbar, summary: layerSummary(summary, summary.confusion ? confusionTable(m, summary.confusion, params, navigate) : null) };
}
