/** The explorer page: filters on the left, a page of annotated images on the right. */
import { api, type SplitJson } from './api.js';
import { count, errorBox, h, mount, type Child } from './dom.js';
import { filterPanel, FILTER_PARAMS } from './filters.js';
import { imageCard, pager } from './grid.js';
import { go, href, type PageContext } from './router.js';
import { meta, overlayOptions, rememberSplit, saveOverlayOptions } from './state.js';
import type { OverlayOptions } from './overlay.js';
import { decorateCard, layerControls, layerImagePage, LAYER_PARAMS } from './layer-controls.js';

const PER_PAGE = 48;

function indexingBanner(split: SplitJson): HTMLElement | null {
  const ix = split.indexing;
  if (ix.state === 'ready') return null;
  if (ix.state === 'failed') return errorBox(`Indexing ${split.name} failed: ${ix.error ?? ''}`);
  const pct = ix.total > 0 ? Math.floor((100 * ix.done) / ix.total) : 0;
  const what =
    ix.state === 'reading'
      ? `reading ${count(ix.done)} of ${count(ix.total)} changed files`
      : ix.state === 'scanning'
        ? `checking files (${count(ix.done)} of ${count(ix.total)})`
        : 'waiting';
  return h(
    'div',
    { class: 'indexing', role: 'status' },
    h('div', null, `Indexing ${split.name}: ${what}`),
    h('div', { class: 'progress' }, h('div', { class: 'progress-bar', style: `width: ${pct}%` })),
  );
}

export function splitPicker(splits: SplitJson[], current: string, page: 'explore' | 'stats'): HTMLElement {
  const select = h(
    'select',
    { 'aria-label': 'split', id: 'split-picker' },
    splits.map((sp) => {
      const o = h('option', { value: sp.name }, `${sp.name} (${count(sp.images)} images)`);
      o.selected = sp.name === current;
      return o;
    }),
  );
  select.addEventListener('change', () => go(href(page, [select.value])));
  return h('label', { class: 'split-picker' }, 'Split ', select);
}

function toggles(options: OverlayOptions, onChange: () => void): HTMLElement {
  const names: (keyof OverlayOptions)[] = ['boxes', 'masks', 'landmarks', 'labels'];
  return h(
    'div',
    { class: 'toggles', role: 'group', 'aria-label': 'draw' },
    'Draw:',
    names.map((name) => {
      const box = h('input', { type: 'checkbox', 'data-toggle': name });
      box.checked = options[name];
      box.addEventListener('change', () => {
        options[name] = box.checked;
        saveOverlayOptions(options);
        onChange();
      });
      return h('label', { class: 'toggle' }, box, ` ${name}`);
    }),
  );
}

export async function explorePage(ctx: PageContext): Promise<Child> {
  const { route } = ctx;
  const [m, splits] = await Promise.all([meta(), api.splits()]);
  if (splits.length === 0) {
    return h(
      'div',
      { class: 'empty-state' },
      h('h1', null, 'No split yet'),
      h('p', null, 'Start df2 serve with --data DIR (or --demo), or add a split directory on the Admin page.'),
    );
  }
  const split = splits.find((s) => s.name === route.args[0]) ?? splits[0]!;
  rememberSplit(split.name);
  const params = new URLSearchParams([...route.params].filter(([k]) => FILTER_PARAMS.includes(k) || LAYER_PARAMS.includes(k) || k === 'page'));
  const page = Math.max(1, Number(params.get('page') ?? '1') || 1);
  const filterParams: Record<string, string> = {};
  for (const k of FILTER_PARAMS) if (params.get(k)) filterParams[k] = params.get(k)!;
  const navigate = (p: URLSearchParams): void => go(href('explore', [split.name], p));

  const banner = indexingBanner(split);
  if (banner && split.indexing.state !== 'failed') {
    // Poll until the index is ready, as long as this page is shown.
    setTimeout(() => {
      if (ctx.isCurrent()) void ctx.redraw();
    }, 700);
    if (split.images === 0) return h('div', { class: 'page' }, h('div', { class: 'toolbar' }, splitPicker(splits, split.name, 'explore')), banner);
  }

  // With a layer, the layer's endpoint pages the images (filtered and sorted by its errors too).
  const [result, facets, layered] = await Promise.all([
    layerImagePage(params, split.name, filterParams, page, PER_PAGE, () => api.images({ split: split.name, ...filterParams, page, per_page: PER_PAGE })),
    api.facets({ split: split.name, ...filterParams }),
    layerControls(m, split.name, params, navigate),
  ]);
  const options = overlayOptions();
  const grid = h('div', { class: 'grid', id: 'grid' });
  const drawGrid = (): void =>
    mount(
      grid,
      result.images.length === 0
        ? h('p', { class: 'empty-state' }, 'No image matches these filters.')
        : result.images.map((img) => {
            const card = imageCard(split.name, img, m.categories, options, params);
            decorateCard(card, img, m, options);
            return card;
          }),
    );
  drawGrid();
  const pagerEl = (): HTMLElement =>
    pager(result.total, page, PER_PAGE, (p) => {
      const next = new URLSearchParams(params);
      next.set('page', String(p));
      navigate(next);
    });

  return h(
    'div',
    { class: 'explore' },
    filterPanel(m, params, facets, navigate),
    h(
      'section',
      { class: 'results' },
      h(
        'div',
        { class: 'toolbar' },
        splitPicker(splits, split.name, 'explore'),
        h('span', { class: 'result-count', id: 'result-count', 'data-total': result.total }, `${count(result.total)} images`),
        toggles(options, drawGrid),
        split.bad_files > 0 ? h('a', { class: 'warn', href: href('stats', [split.name]) }, `${count(split.bad_files)} bad files`) : null,
        layered.toolbar,
      ),
      banner,
      layered.summary,
      pagerEl(),
      grid,
      pagerEl(),
    ),
  );
}
