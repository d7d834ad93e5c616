/** The grid of image cards (thumbnail with its annotations drawn over it) and the pager. */
import type { Category, ImageJson } from './api.js';
import { imageUrl } from './api.js';
import { count, h, imageName } from './dom.js';
import { overlay, type OverlayOptions } from './overlay.js';
import { href } from './router.js';

export function imageFigure(split: string, image: ImageJson, categories: Category[], options: OverlayOptions, width?: number): HTMLElement {
  const img = h('img', {
    src: image.has_image ? imageUrl(split, image.id, width) : '',
    alt: `image ${image.name}`,
    loading: 'lazy',
    decoding: 'async',
  });
  const ratio = image.width > 0 && image.height > 0 ? `${image.width} / ${image.height}` : '3 / 4';
  return h('div', { class: 'figure', style: `aspect-ratio: ${ratio}` }, img, overlay(image, categories, options));
}

/**
 * The figure centred in a box of fixed proportions (width / height = boxRatio),
 * scaled to fit, so that a grid of different image shapes keeps even rows.
 */
export function fittedFigure(split: string, image: ImageJson, categories: Category[], options: OverlayOptions, width: number, boxRatio: number): HTMLElement {
  const fig = imageFigure(split, image, categories, options, width);
  const ratio = image.width > 0 && image.height > 0 ? image.width / image.height : 0.75;
  fig.style.width = `${ratio >= boxRatio ? 100 : (100 * ratio) / boxRatio}%`;
  return h('div', { class: 'thumb', style: `aspect-ratio: ${boxRatio}` }, fig);
}

export function imageCard(split: string, image: ImageJson, categories: Category[], options: OverlayOptions, params: URLSearchParams): HTMLElement {
  const cats = [...new Set(image.items.map((i) => categories[i.category_id - 1]?.name ?? String(i.category_id)))];
  // A short name for the link: its content holds the drawing, whose landmark titles would be read out one by one.
  const label = `Image ${imageName(image.id)}, ${image.source}, pair ${image.pair_id}${image.error ? ': its annotation file no longer reads' : cats.length > 0 ? `: ${cats.join(', ')}` : ''}`;
  return h(
    'a',
    { class: 'card', href: href('image', [split, image.id], params), 'data-image': image.id, 'aria-label': label },
    fittedFigure(split, image, categories, options, 320, 4 / 5),
    h(
      'div',
      { class: 'card-caption' },
      h('span', { class: 'card-id' }, imageName(image.id)),
      h('span', { class: `badge ${image.source}` }, image.source),
      h('span', { class: 'muted' }, `pair ${image.pair_id}`),
    ),
    h('div', { class: 'card-cats' }, image.error ? h('span', { class: 'warn' }, image.error) : cats.join(', ')),
  );
}

export function pager(total: number, page: number, perPage: number, go: (page: number) => void): HTMLElement {
  const pages = Math.max(1, Math.ceil(total / perPage));
  const button = (label: string, target: number, disabled: boolean): HTMLButtonElement =>
    h('button', { type: 'button', disabled, onclick: () => go(target), 'data-page': target }, label);
  const first = total === 0 ? 0 : (page - 1) * perPage + 1;
  return h(
    'div',
    { class: 'pager' },
    button('‹ Prev', page - 1, page <= 1),
    h('span', { class: 'pager-text' }, `${count(first)}–${count(Math.min(total, page * perPage))} of ${count(total)} · page ${page} of ${count(pages)}`),
    button('Next ›', page + 1, page >= pages),
  );
}
