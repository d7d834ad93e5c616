/**
 * Leaderboards: a tab per phase and per task; one row per team (the phase's
 * rule), sorted by any figure (click its column), equal figures sharing a
 * rank, baselines marked and unranked; paged; CSV and JSON downloads.
 * Route: #/leaderboard/PHASE/TASK?order_by=AP50&page=2.
 */
import { api, leaderboardDownload, type ChallengeJson, type LeaderboardJson } from './api.js';
import { figure, figureCell, h, when, type Child } from './dom.js';
import { href, type PageContext } from './router.js';
import { challengeInfo, meta } from './state.js';

function attributeTables(board: LeaderboardJson, attrNames: Record<string, readonly string[]>): HTMLElement | null {
  const withSubsets = board.entries.filter((e) => e.subsets);
  if (withSubsets.length === 0) return null;
  // The first subset figure: AP for the COCO tasks; for retrieval the primary one (top-20).
  const pick = board.task === 'retrieval' ? 4 : 0;
  const figureName = withSubsets[0]!.subset_stat_names?.[pick] ?? '';
  return h(
    'section',
    { class: 'attribute-tables' },
    h('h2', null, `${figureName} by attribute`),
    h(
      'div',
      { class: 'subset-tables' },
      Object.entries(attrNames).map(([attr, valueNames]) =>
        h(
          'table',
          { class: 'figures compact', 'data-table': `board-${attr}` },
          h('caption', null, attr),
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              h('th', null, '#'),
              h('th', null, 'team'),
              valueNames.map((n, k) => h('th', null, `${k + 1} ${n}`)),
            ),
          ),
          h(
            'tbody',
            null,
            withSubsets.map((e) =>
              h(
                'tr',
                null,
                h('td', null, e.rank ?? 'baseline'),
                h('td', null, e.team),
                valueNames.map((_n, k) => figureCell(e.subsets?.[attr]?.[String(k + 1)]?.[pick])),
              ),
            ),
          ),
        ),
      ),
    ),
  );
}

type Entry = LeaderboardJson['entries'][number];

const percent = (level: number): string => `${Math.round(level * 1000) / 10}%`;

/** The primary figure's bootstrap interval under its value, e.g. "[0.5980, 0.6270]" (bounds exact in data-low/data-high). */
function intervalOf(e: Entry): HTMLElement | null {
  if (!e.interval) return null;
  const { low, high, level } = e.interval;
  return h(
    'span',
    { class: 'interval', 'data-low': String(low), 'data-high': String(high), title: `${percent(level)} bootstrap interval over the images` },
    `[${figure(low)}, ${figure(high)}]`,
  );
}

/** "≈" beside the rank of a team that the image sample cannot tell from the team above. */
function notSignificantMark(e: Entry, board: LeaderboardJson): HTMLElement | null {
  if (e.vs_above?.significant !== false || !board.intervals) return null;
  // The phase's level: the marks are made at it when the page is asked for (an entry's own interval may be older).
  const level = percent(board.intervals.level);
  const said = `not significantly different from the team above at ${level}`;
  return h(
    'span',
    { class: 'not-significant', title: `${said} (the team above is ahead in ${percent(e.vs_above.above_beats)} of the resamples)`, 'aria-label': said },
    '≈',
  );
}

/** A method's name, linked to its paper and code when given. */
function methodCell(e: LeaderboardJson['entries'][number]): HTMLElement {
  return h(
    'td',
    { class: 'method' },
    e.mine ? h('a', { href: href('submission', [e.submission_id]) }, e.name) : e.name,
    e.baseline ? h('span', { class: 'badge baseline', title: 'a reference: shown, not ranked' }, 'baseline') : null,
    e.paper_url ? [' ', h('a', { href: e.paper_url, rel: 'noopener noreferrer nofollow', target: '_blank', class: 'ref' }, 'paper')] : null,
    e.code_url ? [' ', h('a', { href: e.code_url, rel: 'noopener noreferrer nofollow', target: '_blank', class: 'ref' }, 'code')] : null,
    e.description ? h('div', { class: 'muted small' }, e.description) : null,
  );
}

/**
 * The challenge's description, as the server rendered its Markdown: raw HTML
 * in it escaped and script URLs refused there (`server/challenge/description.ts`),
 * so the HTML is inserted as it comes.
 */
function descriptionBlock(challenge: ChallengeJson): HTMLElement | null {
  if (!challenge.description.trim()) return null;
  const section = h('section', { class: 'challenge-description', id: 'challenge-description' });
  section.innerHTML = challenge.description_html;
  return section;
}

/** What the brackets and the mark mean, under a board with intervals. */
function intervalsNote(board: LeaderboardJson): HTMLElement | null {
  if (!board.intervals) return null;
  const { figure: name, level, resamples } = board.intervals;
  return h(
    'p',
    { class: 'muted small', id: 'intervals-note' },
    `In brackets: the ${percent(level)} bootstrap interval of ${name} over the images (${resamples.toLocaleString('en-US')} resamples, the same for every submission). `,
    board.order_by === board.primary
      ? `≈: not significantly different from the team above at ${percent(level)} (the ${percent(level)} interval of their paired difference contains 0).`
      : `Sorted by ${name}, ≈ marks teams not significantly different from the team above.`,
    ' It measures what the choice of test images does to the figure, not the noise of training.',
  );
}

export async function leaderboardPage({ route }: PageContext): Promise<Child> {
  const [m, challenge, tasks] = await Promise.all([meta(), challengeInfo(), api.tasks()]);
  const phase = challenge.phases.find((p) => p.name === route.args[0]) ?? challenge.phases.find((p) => p.state === 'open') ?? challenge.phases[0];
  if (!phase) return h('p', { class: 'empty-state' }, 'This challenge has no phase.');
  const task = phase.tasks.find((t) => t === route.args[1]) ?? phase.tasks[0];
  const phaseTabs = h(
    'nav',
    { class: 'tabs phase-tabs' },
    challenge.phases.map((p) =>
      h(
        'a',
        {
          href: href('leaderboard', [p.name]),
          class: `tab${p.name === phase.name ? ' active' : ''}`,
          'data-phase': p.name,
        },
        p.name,
        h('span', { class: `phase-state ${p.state}` }, p.state),
      ),
    ),
  );
  const head = [
    h('header', { class: 'page-head' }, h('h1', null, challenge.title), h('a', { class: 'button primary', href: href('submit') }, 'Submit results')),
    descriptionBlock(challenge),
  ];
  const dates = phase.start || phase.end ? `${phase.start ? when(phase.start) : '…'} – ${phase.end ? when(phase.end) : '…'}` : 'always open';
  const phaseLine = h(
    'p',
    { class: 'muted', id: 'phase-line' },
    `Phase ${phase.name}: ${dates} · ${phase.rule === 'best' ? "each team's best submission" : "each team's latest submission"}`,
  );
  if (!task) return h('div', { class: 'page leaderboard-page' }, head, phaseTabs, phaseLine, h('p', { class: 'empty-state' }, 'This phase has no task.'));
  const taskTabs = h(
    'nav',
    { class: 'tabs' },
    phase.tasks.map((t) =>
      h(
        'a',
        {
          href: href('leaderboard', [phase.name, t]),
          class: `tab${t === task ? ' active' : ''}`,
          'data-task': t,
        },
        t,
      ),
    ),
  );
  const orderBy = route.params.get('order_by') ?? undefined;
  const page = Math.max(1, Number(route.params.get('page') ?? 1) || 1);
  let board: LeaderboardJson;
  try {
    board = await api.leaderboard({ phase: phase.name, task, order_by: orderBy, page });
  } catch (err) {
    return h(
      'div',
      { class: 'page leaderboard-page' },
      head,
      phaseTabs,
      taskTabs,
      h(
        'p',
        { class: 'empty-state', id: 'board-closed' },
        phase.leaderboard === 'private' ? 'This leaderboard is private: only the organizers see it.' : (err as Error).message,
      ),
    );
  }
  const sortHref = (name: string): string => href('leaderboard', [phase.name, task], { order_by: name === board.primary ? undefined : name });
  const table = h(
    'table',
    { class: 'figures leaderboard', id: 'leaderboard', 'data-task': board.task, 'data-order-by': board.order_by },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        h('th', null, '#'),
        h('th', null, 'team'),
        h('th', null, 'method'),
        h('th', null, 'evaluated'),
        board.stat_names.map((n) =>
          h(
            'th',
            { class: `sortable${n === board.order_by ? ' sorted' : ''}`, 'data-stat': n, 'aria-sort': n === board.order_by ? 'descending' : null },
            h('a', { href: sortHref(n), title: `sort by ${n}` }, n, n === board.order_by ? ' ▼' : ''),
          ),
        ),
      ),
    ),
    h(
      'tbody',
      null,
      board.entries.map((e) =>
        h(
          'tr',
          { class: `${e.mine ? 'mine' : ''}${e.baseline ? ' baseline' : ''}`, 'data-submission': e.submission_id, 'data-team': e.team },
          h('td', { class: 'rank' }, e.rank ?? '–', notSignificantMark(e, board)),
          h('td', null, e.team, e.user !== e.team ? h('div', { class: 'muted small' }, e.user) : null),
          methodCell(e),
          h('td', { class: 'muted' }, when(e.finished_at)),
          board.stat_names.map((n) => {
            const cell = figureCell(e.stats[n]);
            if (n === board.order_by) cell.classList.add('primary');
            if (n === board.primary) cell.append(...[intervalOf(e)].filter((x) => x !== null));
            return cell;
          }),
        ),
      ),
    ),
  );
  const pages = Math.max(1, Math.ceil(board.total / board.per_page));
  const pager =
    pages > 1
      ? h(
          'nav',
          { class: 'pager' },
          page > 1 ? h('a', { href: href('leaderboard', [phase.name, task], { order_by: orderBy, page: page - 1 }) }, '‹ previous') : null,
          h('span', { class: 'muted' }, ` page ${page} of ${pages} `),
          page < pages ? h('a', { href: href('leaderboard', [phase.name, task], { order_by: orderBy, page: page + 1 }), id: 'next-page' }, 'next ›') : null,
        )
      : null;
  const downloads =
    board.hidden_until === null
      ? h(
          'span',
          { class: 'downloads' },
          h('a', { class: 'button', href: leaderboardDownload('csv', phase.name, task, orderBy), download: '', id: 'download-csv' }, 'CSV'),
          h('a', { class: 'button', href: leaderboardDownload('json', phase.name, task, orderBy), download: '', id: 'download-json' }, 'JSON'),
        )
      : null;
  const available = tasks.find((t) => t.task === task)?.available !== false;
  return h(
    'div',
    { class: 'page leaderboard-page' },
    head,
    phaseTabs,
    phaseLine,
    taskTabs,
    h('div', { class: 'board-head' }, h('h2', null, board.title, h('span', { class: 'muted' }, ` · sorted by ${board.order_by}`)), downloads),
    available ? null : h('p', { class: 'hint' }, 'This server has no ground truth for this task.'),
    board.hidden_until !== null
      ? h('p', { class: 'empty-state', id: 'board-hidden' }, `The figures of phase ${phase.name} are shown once it has ended (${when(board.hidden_until)}).`)
      : board.entries.length > 0
        ? [h('div', { class: 'table-scroll' }, table), intervalsNote(board)]
        : h('p', { class: 'empty-state' }, 'No evaluated submission yet.'),
    pager,
    attributeTables(board, m.attributes),
  );
}
