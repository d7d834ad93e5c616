/** Leaderboards: one tab per task, ranked by its primary figure, with per-attribute tables. */
import { api, type LeaderboardJson, type TaskJson } from './api.js';
import { figureCell, h, mount, when } from './dom.js';
import { href, type Route } from './router.js';
import { meta } from './state.js';

function attributeTables(board: LeaderboardJson, attrNames: Record<string, readonly string[]>): HTMLElement | null {
  const withSubsets = board.entries.filter((e) => e.subsets);
  if (withSubsets.length === 0) return null;
  // The first subset figure: AP for the COCO tasks; for retrieval the primary one (top-20).
  const pick = board.task === 'retrieval' ? 4 : 0;
  const figureName = withSubsets[0]!.subset_stat_names?.[pick] ?? '';
  return h('section', { class: 'attribute-tables' },
    h('h2', null, `${figureName} by attribute`),
    h('div', { class: 'subset-tables' }, Object.entries(attrNames).map(([attr, valueNames]) => h('table', { class: 'figures compact', 'data-table': `board-${attr}` },
      h('caption', null, attr),
      h('thead', null, h('tr', null, h('th', null, '#'), h('th', null, 'submission'), valueNames.map((n, k) => h('th', null, `${k + 1} ${n}`)))),
      h('tbody', null, withSubsets.map((e) => h('tr', null, h('td', null, e.rank), h('td', null, e.name),
        valueNames.map((_n, k) => figureCell(e.subsets?.[attr]?.[String(k + 1)]?.[pick])))))))));
}

export async function leaderboardPage(root: HTMLElement, route: Route): Promise<void> {
  const [m, tasks] = await Promise.all([meta(), api.tasks()]);
  const available = tasks.filter((t) => t.available);
  const task: TaskJson | undefined = tasks.find((t) => t.task === route.args[0]) ?? available[0] ?? tasks[0];
  if (!task) return;
  // A failed request throws: the app's render() shows its message.
  const board = await api.leaderboard(task.task);
  const primaryIndex = board.stat_names.indexOf(board.primary);
  const tabs = h('nav', { class: 'tabs' }, tasks.map((t) => h('a', {
    href: href('leaderboard', [t.task]), class: `tab${t.task === task.task ? ' active' : ''}${t.available ? '' : ' disabled'}`, 'data-task': t.task,
  }, t.task)));
  const table = h('table', { class: 'figures leaderboard', id: 'leaderboard', 'data-task': board.task },
    h('thead', null, h('tr', null, h('th', null, '#'), h('th', null, 'submission'), h('th', null, 'user'), h('th', null, 'evaluated'),
      board.stat_names.map((n, k) => h('th', { class: k === primaryIndex ? 'primary' : '' }, n)))),
    h('tbody', null, board.entries.map((e) => h('tr', { class: e.mine ? 'mine' : '', 'data-submission': e.submission_id },
      h('td', null, e.rank), h('td', null, e.mine ? h('a', { href: href('submission', [e.submission_id]) }, e.name) : e.name),
      h('td', null, e.user), h('td', { class: 'muted' }, when(e.finished_at)),
      e.stats.map((v, k) => { const cell = figureCell(v); if (k === primaryIndex) cell.classList.add('primary'); return cell; })))));
  mount(root, h('div', { class: 'page leaderboard-page' },
    h('header', { class: 'page-head' }, h('h1', null, 'Leaderboard'), h('a', { class: 'button primary', href: href('submit') }, 'Submit results')),
    tabs,
    h('h2', null, board.title, h('span', { class: 'muted' }, ` · ranked by ${board.primary}`)),
    task.available ? null : h('p', { class: 'hint' }, 'This server has no ground truth for this task.'),
    board.entries.length > 0 ? table : h('p', { class: 'empty-state' }, 'No evaluated submission yet.'),
    attributeTables(board, m.attributes)));
}
