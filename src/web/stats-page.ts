/** The numbers of a split (what `df2 stats` counts), from the server's index, as charts. */
import { api } from './api.js';
import { barChart } from './charts.js';
import { count, errorBox, h, type Child } from './dom.js';
import { splitPicker } from './explore.js';
import type { PageContext } from './router.js';
import { meta, rememberSplit } from './state.js';

export async function statsPage({ route }: PageContext): Promise<Child> {
  const [m, splits] = await Promise.all([meta(), api.splits()]);
  const split = splits.find((s) => s.name === route.args[0]) ?? splits[0];
  if (!split) return h('p', { class: 'empty-state' }, 'No split yet.');
  rememberSplit(split.name);
  const [st, bad] = await Promise.all([api.stats(split.name), split.bad_files > 0 ? api.badFiles(split.name) : Promise.resolve([])]);
  const totalImages = st.images.user + st.images.shop;
  const totalItems = st.items.user + st.items.shop;
  const tile = (label: string, value: string, id: string): HTMLElement =>
    h('div', { class: 'tile', id }, h('div', { class: 'tile-value' }, value), h('div', { class: 'tile-label' }, label));
  const attrChart = (name: string, title: string): HTMLElement =>
    barChart(
      title,
      (m.attributes[name] ?? []).map((label, k) => ({ label: `${k + 1} ${label}`, values: [st.attributes[name]?.[String(k + 1)] ?? 0] })),
    );
  return h(
    'div',
    { class: 'page stats-page' },
    h('header', { class: 'page-head' }, h('h1', null, `Statistics of ${split.name}`), splitPicker(splits, split.name, 'stats')),
    h(
      'div',
      { class: 'tiles' },
      tile('images', count(totalImages), 'tile-images'),
      tile('items', count(totalItems), 'tile-items'),
      tile('pair_ids', count(st.pairIds), 'tile-pairs'),
      tile('consumer–shop positive pairs', count(st.positivePairs), 'tile-positive'),
      tile('landmarks visible / occluded', `${count(st.landmarks.visible)} / ${count(st.landmarks.occluded)}`, 'tile-landmarks'),
    ),
    h(
      'div',
      { class: 'charts' },
      barChart(
        'Items per category',
        m.categories.map((c) => ({
          label: `${c.id} ${c.name}`,
          values: [st.categories[c.id]?.user ?? 0, st.categories[c.id]?.shop ?? 0],
        })),
        ['user', 'shop'],
      ),
      barChart('Images per source', [
        { label: 'user (consumer)', values: [st.images.user] },
        { label: 'shop (commercial)', values: [st.images.shop] },
      ]),
      barChart(
        'Items per image',
        Object.entries(st.itemsPerImage)
          .sort((a, b) => Number(a[0]) - Number(b[0]))
          .map(([n, v]) => ({ label: `${n} items`, values: [v] })),
      ),
      barChart('Style', [
        { label: '0 (no pair)', values: [st.style.zero] },
        { label: '> 0', values: [st.style.positive] },
      ]),
      attrChart('scale', 'Scale'),
      attrChart('occlusion', 'Occlusion'),
      attrChart('zoom_in', 'Zoom-in'),
      attrChart('viewpoint', 'Viewpoint'),
    ),
    bad.length > 0
      ? h(
          'section',
          { class: 'bad-files' },
          h('h2', null, `Files left out of the index (${count(split.bad_files)})`),
          h(
            'ul',
            null,
            bad.map((b) => h('li', null, h('code', null, b.message))),
          ),
        )
      : null,
    split.indexing.state === 'failed' ? errorBox(split.indexing.error ?? 'indexing failed') : null,
  );
}
