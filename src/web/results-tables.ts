/** Tables of evaluation figures: the summary row, AP per category, and the per-attribute tables. */
import type { CategoryApJson, EvaluationResult, Meta } from './api.js';
import { figureCell, h } from './dom.js';

export function statsTable(names: string[], stats: number[]): HTMLElement {
  return h(
    'table',
    { class: 'figures', 'data-table': 'stats' },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        names.map((n) => h('th', null, n)),
      ),
    ),
    h(
      'tbody',
      null,
      h(
        'tr',
        null,
        stats.map((v) => figureCell(v)),
      ),
    ),
  );
}

export function perCategoryTable(m: Meta, perCategory: CategoryApJson[]): HTMLElement {
  return h(
    'table',
    { class: 'figures compact', 'data-table': 'per-category' },
    h('thead', null, h('tr', null, h('th', null, 'category'), h('th', null, 'AP'))),
    h(
      'tbody',
      null,
      perCategory.map((c) => h('tr', null, h('td', null, `${c.category_id} ${m.categories[c.category_id - 1]?.name ?? ''}`), figureCell(c.ap))),
    ),
  );
}

/** One table per attribute: a row per figure, a column per value (the release README's layout). */
export function subsetTables(m: Meta, result: Pick<EvaluationResult, 'subsets' | 'subsetStatNames'>): HTMLElement | null {
  if (!result.subsets) return null;
  const names = result.subsetStatNames ?? [];
  return h(
    'div',
    { class: 'subset-tables' },
    Object.entries(result.subsets).map(([attr, perValue]) => {
      const values = Object.keys(perValue).sort();
      return h(
        'table',
        { class: 'figures compact', 'data-table': `subset-${attr}` },
        h('caption', null, attr),
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            h('th', null, ''),
            values.map((v) => h('th', null, `${v} ${m.attributes[attr]?.[Number(v) - 1] ?? ''}`)),
          ),
        ),
        h(
          'tbody',
          null,
          names.map((name, k) =>
            h(
              'tr',
              null,
              h('th', null, name),
              values.map((v) => figureCell(perValue[v]?.[k])),
            ),
          ),
        ),
      );
    }),
  );
}
