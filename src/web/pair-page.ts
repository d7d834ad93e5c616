/** The consumer and shop images of one pair_id; items that form positive pairs (same style > 0) are linked. */
import { api } from './api.js';
import { count, h, imageName, type Child } from './dom.js';
import { fittedFigure } from './grid.js';
import { highlight } from './overlay.js';
import { href, type PageContext } from './router.js';
import { meta, overlayOptions } from './state.js';

/** Colors of styles 1, 2, 3, ... so that linked items read as one group. */
const STYLE_COLORS = ['#2563eb', '#db2777', '#16a34a', '#ea580c', '#7c3aed', '#0891b2'];

export async function pairPage({ route }: PageContext): Promise<Child> {
  const [split = '', pairText = ''] = route.args;
  const m = await meta();
  // A failed request throws: the app's render() shows its message.
  const pair = await api.pair(split, Number(pairText));
  const figures = new Map<number, HTMLElement>();
  const column = (source: 'user' | 'shop'): HTMLElement => {
    const images = pair.images.filter((i) => i.source === source);
    return h(
      'section',
      { class: `pair-column ${source}` },
      h('h2', null, source === 'user' ? `Consumer photos (${images.length})` : `Shop photos (${images.length})`),
      images.map((img) => {
        const fig = fittedFigure(split, img, m.categories, overlayOptions(), 480, 1);
        figures.set(img.id, fig);
        const styles = [...new Set(img.items.map((i) => i.style))].sort();
        return h(
          'a',
          { class: 'pair-card', href: href('image', [split, img.id]), 'data-image': img.id },
          fig,
          h('div', { class: 'card-caption' }, h('span', { class: 'card-id' }, imageName(img.id)), h('span', { class: 'muted' }, `styles ${styles.join(', ')}`)),
        );
      }),
    );
  };
  const mark = (image: number, item: string | undefined): void => {
    const svg = figures.get(image)?.querySelector('svg');
    if (svg) highlight(svg, item);
  };
  const links = pair.links.map((link) =>
    h(
      'li',
      {
        class: 'pair-link',
        'data-style': link.style,
        style: `--style-color: ${STYLE_COLORS[(link.style - 1) % STYLE_COLORS.length]}`,
        onmouseenter: () => {
          mark(link.user.image, link.user.item);
          mark(link.shop.image, link.shop.item);
        },
        onmouseleave: () => {
          mark(link.user.image, undefined);
          mark(link.shop.image, undefined);
        },
      },
      h('span', { class: 'style-dot' }),
      `style ${link.style}: `,
      h('a', { href: href('image', [split, link.user.image]) }, `user ${imageName(link.user.image)} ${link.user.item}`),
      ' ⇄ ',
      h('a', { href: href('image', [split, link.shop.image]) }, `shop ${imageName(link.shop.image)} ${link.shop.item}`),
    ),
  );

  return h(
    'div',
    { class: 'page pair-page' },
    h('nav', { class: 'crumbs' }, h('a', { href: href('explore', [split]) }, `‹ ${split}`), ' / ', `pair ${pair.pair_id}`),
    h(
      'header',
      { class: 'page-head' },
      h('h1', null, `Pair ${pair.pair_id}`),
      h('span', { class: 'muted' }, `${pair.images.length} images · ${count(pair.links.length)} positive pairs`),
      h('a', { class: 'button', href: href('explore', [split], { pair_id: pair.pair_id }) }, 'Show in grid'),
    ),
    h(
      'div',
      { class: 'pair-grid' },
      column('user'),
      h(
        'section',
        { class: 'pair-links' },
        h('h2', null, 'Positive pairs'),
        h('p', { class: 'hint' }, 'A consumer item and a shop item with the same pair_id and the same style > 0. Hover to highlight.'),
        links.length > 0 ? h('ul', { id: 'pair-links' }, links) : h('p', { class: 'muted' }, 'None: no style > 0 is shared by a consumer and a shop item.'),
      ),
      column('shop'),
    ),
  );
}
