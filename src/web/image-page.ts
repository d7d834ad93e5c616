/** One image at full size with every item drawn, its fields and landmarks listed; hovering an item highlights it. */
import { api, type Category, type ItemJson, type Meta } from './api.js';
import { errorBox, h, imageName, type Child } from './dom.js';
import { imageFigure } from './grid.js';
import { categoryColor, highlight } from './overlay.js';
import { href, type PageContext } from './router.js';
import { meta, overlayOptions } from './state.js';
import { layerImageSection } from './layer-image.js';

const VISIBILITY = ['unlabelled', 'occluded', 'visible'];

function attributeText(m: Meta, name: string, value: number): string {
  return `${value} ${m.attributes[name]?.[value - 1] ?? ''}`;
}

function landmarkTable(item: ItemJson): HTMLElement {
  const rows = [];
  for (let n = 1; n * 3 <= item.landmarks.length; n++) {
    const [x, y, v] = item.landmarks.slice((n - 1) * 3, n * 3) as [number, number, number];
    rows.push(
      h('tr', { class: `v${v}` }, h('td', null, n), h('td', { class: 'num' }, x), h('td', { class: 'num' }, y), h('td', null, VISIBILITY[v] ?? String(v))),
    );
  }
  return h(
    'details',
    { class: 'landmarks' },
    h('summary', null, `${item.landmarks.length / 3} landmarks`),
    h(
      'table',
      { class: 'compact' },
      h('thead', null, h('tr', null, h('th', null, '#'), h('th', null, 'x'), h('th', null, 'y'), h('th', null, 'v'))),
      h('tbody', null, rows),
    ),
  );
}

function itemPanel(m: Meta, item: ItemJson, category: Category | undefined): HTMLElement {
  const [x1, y1, x2, y2] = item.bounding_box;
  return h(
    'div',
    { class: 'item-panel', 'data-item': item.key, style: `--item-color: ${categoryColor(item.category_id)}` },
    h('h3', null, h('span', { class: 'swatch' }), `${item.key} · ${item.category_name}`),
    h(
      'dl',
      null,
      h('dt', null, 'category_id'),
      h('dd', null, `${item.category_id} (${category?.coco_name ?? ''})`),
      h('dt', null, 'style'),
      h('dd', null, item.style === 0 ? '0 (cannot form a pair)' : String(item.style)),
      h('dt', null, 'bounding_box'),
      h('dd', null, `[${x1}, ${y1}, ${x2}, ${y2}]`),
      h('dt', null, 'scale'),
      h('dd', null, attributeText(m, 'scale', item.scale)),
      h('dt', null, 'occlusion'),
      h('dd', null, attributeText(m, 'occlusion', item.occlusion)),
      h('dt', null, 'zoom_in'),
      h('dd', null, attributeText(m, 'zoom_in', item.zoom_in)),
      h('dt', null, 'viewpoint'),
      h('dd', null, attributeText(m, 'viewpoint', item.viewpoint)),
      h('dt', null, 'segmentation'),
      h('dd', null, `${item.segmentation.length} polygon${item.segmentation.length === 1 ? '' : 's'}`),
    ),
    landmarkTable(item),
  );
}

/** Links item panels and drawn items both ways: hovering either highlights both. */
function linkHover(figure: HTMLElement, panels: HTMLElement[]): void {
  const svg = figure.querySelector('svg')!;
  const set = (key: string | undefined): void => {
    highlight(svg, key);
    for (const p of panels) p.classList.toggle('highlight', p.dataset.item === key);
  };
  for (const p of panels) {
    p.addEventListener('mouseenter', () => set(p.dataset.item));
    p.addEventListener('mouseleave', () => set(undefined));
  }
  for (const g of svg.querySelectorAll<SVGGElement>('g.item')) {
    g.addEventListener('mouseenter', () => set(g.dataset.item));
    g.addEventListener('mouseleave', () => set(undefined));
  }
}

export async function imagePage({ route }: PageContext): Promise<Child> {
  const [split = '', idText = ''] = route.args;
  const m = await meta();
  // A failed request throws: the app's render() shows its message.
  const image = await api.image(split, Number(idText));
  const figure = imageFigure(split, image, m.categories, { ...overlayOptions() });
  figure.classList.add('large');
  // As wide as fits, but never taller than the window.
  if (image.width > 0 && image.height > 0) figure.style.width = `min(100%, calc((100vh - 170px) * ${image.width / image.height}))`;
  const panels = image.items.map((item) => itemPanel(m, item, m.categories[item.category_id - 1]));
  linkHover(figure, panels);
  const layerSection = await layerImageSection(split, image, route.params, figure, m);
  // A second layer (B) beside the first: the same image drawn again with B's verdicts, and B's panel under A's.
  const againstId = route.params.get('layer') ? route.params.get('against') : null;
  let figureB: HTMLElement | null = null;
  let layerSectionB: HTMLElement | null = null;
  if (againstId) {
    figureB = imageFigure(split, image, m.categories, { ...overlayOptions() });
    figureB.classList.add('large');
    const paramsB = new URLSearchParams(route.params);
    paramsB.set('layer', againstId);
    paramsB.delete('against');
    layerSectionB = await layerImageSection(split, image, paramsB, figureB, m, 'B');
    layerSection?.querySelector('h3')?.prepend('A · ');
    figure.style.width = '';
    figure.dataset.side = 'A';
    figureB.dataset.side = 'B';
  }
  return h(
    'div',
    { class: 'page image-page' },
    h(
      'nav',
      { class: 'crumbs' },
      h('a', { href: href('explore', [split], route.params) }, `‹ ${split}`),
      ' / ',
      h('span', null, `image ${imageName(image.id)}`),
    ),
    h(
      'header',
      { class: 'page-head' },
      h('h1', null, `Image ${imageName(image.id)}`),
      h('span', { class: `badge ${image.source}` }, image.source),
      h('a', { class: 'button', href: href('pair', [split, image.pair_id]), id: 'pair-link' }, `Pair ${image.pair_id} ›`),
      h('span', { class: 'muted' }, `${image.width} × ${image.height} px · ${image.items.length} items`),
    ),
    image.error ? errorBox(image.error) : null,
    h(
      'div',
      { class: 'image-layout' },
      h('div', { class: figureB ? 'image-main side-by-side' : 'image-main' }, figure, figureB),
      h('div', { class: 'image-side' }, layerSection, layerSectionB, panels),
    ),
  );
}
