/** Tables of evaluation figures: the summary row, AP per category, and the per-attribute tables. */
import type { CategoryApJson, EvaluationResult, FigureBoundsJson, Meta } from './api.js';
import { figure, figureCell, h } from './dom.js';

/** The percent of an interval level, e.g. "95%". */
export const levelPercent = (level: number): string => `${Math.round(level * 1000) / 10}%`;

/**
 * A figure's cell with its bootstrap interval under the value, as the leaderboard shows it: "[0.5980, 0.6270]",
 * the exact bounds in data-low and data-high; "[–]" when no resample defined the figure.
 */
function figureWithInterval(value: number, bounds: FigureBoundsJson | undefined, level: number | undefined): HTMLTableCellElement {
  const cell = figureCell(value);
  if (!bounds) return cell;
  const { low, high } = bounds;
  const title = `${level === undefined ? '' : `${levelPercent(level)} `}bootstrap interval over the images`;
  cell.append(
    low === null || high === null
      ? h('span', { class: 'interval', 'data-low': '', 'data-high': '', title: `${title}: no resample defines this figure` }, '[–]')
      : h('span', { class: 'interval', 'data-low': String(low), 'data-high': String(high), title }, `[${figure(low)}, ${figure(high)}]`),
  );
  return cell;
}

/**
 * The summary figures in one row; with `intervals` (a phase with intervals), each value's interval under it.
 *
 * @example
 * statsTable(r.statNames, r.stats, r.statIntervals && { bounds: r.statIntervals, level: r.interval?.level });
 */
export function statsTable(names: string[], stats: number[], intervals?: { bounds: FigureBoundsJson[]; level?: number | undefined }): HTMLElement {
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
        stats.map((v, i) => figureWithInterval(v, intervals?.bounds[i], intervals?.level)),
      ),
    ),
  );
}

/** AP per category; with `intervals`, each AP's interval under it (in perCategory's order). */
export function perCategoryTable(m: Meta, perCategory: CategoryApJson[], intervals?: { bounds: FigureBoundsJson[]; level?: number | undefined }): HTMLElement {
  return h(
    'table',
    { class: 'figures compact', 'data-table': 'per-category' },
    h('thead', null, h('tr', null, h('th', null, 'category'), h('th', null, 'AP'))),
    h(
      'tbody',
      null,
      perCategory.map((c, k) =>
        h(
          'tr',
          { 'data-category': String(c.category_id) },
          h('td', null, `${c.category_id} ${m.categories[c.category_id - 1]?.name ?? ''}`),
          figureWithInterval(c.ap, intervals?.bounds[k], intervals?.level),
        ),
      ),
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
