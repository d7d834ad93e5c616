/** One submission (its owner's view): status, the validation message, the figures and tables. */
import { api, type EvaluationResult, type FigureBoundsJson, type SubmissionJson } from './api.js';
import { count, errorBox, h, mount, when, type Child } from './dom.js';
import { levelPercent, perCategoryTable, statsTable, subsetTables } from './results-tables.js';
import { href, type PageContext } from './router.js';
import { meta, whoAmI } from './state.js';
import { statusBadge } from './submit.js';

export async function submissionPage(ctx: PageContext): Promise<Child> {
  const { route, isCurrent } = ctx;
  const [m, me] = await Promise.all([meta(), whoAmI()]);
  let sub: SubmissionJson;
  try {
    sub = await api.submission(Number(route.args[0]));
  } catch (err) {
    return h('div', { class: 'page narrow' }, errorBox((err as Error).message), h('p', null, h('a', { href: href('submit') }, 'Your submissions')));
  }
  if (sub.status === 'queued' || sub.status === 'running')
    setTimeout(() => {
      if (isCurrent()) void ctx.redraw();
    }, 1000);
  const r = sub.result;
  const reportBox = h('div', { class: 'report-box' });
  // The report is written after the figures: look again every two seconds, a few times.
  const showReport = (triesLeft: number): void => {
    void api.reportUrl(sub.id).then((url) => {
      mount(
        reportBox,
        url
          ? h('a', { class: 'button', href: url, target: '_blank', rel: 'noopener', id: 'report-link' }, 'Open the full report (df2 report)')
          : h('span', { class: 'muted' }, triesLeft > 0 ? 'The full report is being written…' : 'No full report.'),
      );
      if (!url && triesLeft > 0)
        setTimeout(() => {
          if (isCurrent()) showReport(triesLeft - 1);
        }, 2000);
    });
  };
  if (sub.status === 'done' && !sub.figures_hidden_until) showReport(15);
  const actionMessage = h('div', { role: 'status', id: 'action-message' });
  const act = (work: () => Promise<unknown>) => async () => {
    try {
      await work();
      await ctx.redraw();
    } catch (err) {
      mount(actionMessage, errorBox((err as Error).message));
    }
  };
  // Admins: mark as a baseline, hide from the leaderboard, evaluate again (after a ground-truth fix).
  const adminActions = me?.admin
    ? h(
        'section',
        { class: 'admin-actions' },
        h('h2', null, 'Admin'),
        h(
          'button',
          { type: 'button', id: 'toggle-baseline', onclick: act(() => api.updateSubmission(sub.id, { baseline: !sub.baseline })) },
          sub.baseline ? 'Unmark baseline' : 'Mark as baseline',
        ),
        ' ',
        h(
          'button',
          { type: 'button', id: 'toggle-hidden', onclick: act(() => api.updateSubmission(sub.id, { hidden: !sub.hidden })) },
          sub.hidden ? 'Show on the leaderboard' : 'Hide from the leaderboard',
        ),
        ' ',
        sub.status === 'done' || sub.status === 'failed' ? h('button', { type: 'button', id: 'rerun', onclick: act(() => api.rerun(sub.id)) }, 'Re-run') : null,
      )
    : null;
  const link = (url: string | null) => (url ? h('a', { href: url, rel: 'noopener noreferrer nofollow', target: '_blank' }, url) : '–');
  return h(
    'div',
    { class: 'page submission-page', 'data-status': sub.status },
    h('nav', { class: 'crumbs' }, h('a', { href: href('submit') }, '‹ Your submissions')),
    h(
      'header',
      { class: 'page-head' },
      h('h1', null, `#${sub.id} ${sub.name}`),
      statusBadge(sub),
      sub.baseline ? h('span', { class: 'badge baseline' }, 'baseline') : null,
      sub.hidden ? h('span', { class: 'badge' }, 'hidden') : null,
      reportBox,
    ),
    sub.description ? h('p', { class: 'description' }, sub.description) : null,
    h(
      'dl',
      { class: 'facts' },
      h('dt', null, 'phase'),
      h('dd', null, sub.phase),
      h('dt', null, 'task'),
      h('dd', null, h('a', { href: href('leaderboard', [sub.phase, sub.task]) }, sub.task)),
      h('dt', null, 'team'),
      h('dd', null, sub.team),
      h('dt', null, 'public'),
      h('dd', null, sub.public ? 'yes' : 'no'),
      h('dt', null, 'paper'),
      h('dd', null, link(sub.paper_url)),
      h('dt', null, 'code'),
      h('dd', null, link(sub.code_url)),
      h('dt', null, 'file'),
      h('dd', null, `${sub.file_name} (${count(sub.file_bytes)} bytes)`),
      h('dt', null, 'submitted'),
      h('dd', null, when(sub.created_at)),
      h('dt', null, 'evaluated'),
      h('dd', null, when(sub.finished_at)),
      h('dt', null, 'attempts'),
      h('dd', null, sub.attempts),
      r ? [h('dt', null, 'time'), h('dd', null, `${r.seconds.toFixed(2)} s`)] : null,
      r?.queries !== undefined ? [h('dt', null, 'queries'), h('dd', null, `${r.queries} (${r.missed ?? 0} without a detection)`)] : null,
    ),
    actionMessage,
    adminActions,
    sub.figures_hidden_until
      ? h('p', { class: 'hint', id: 'figures-hidden' }, `The figures of phase ${sub.phase} are shown once it has ended (${when(sub.figures_hidden_until)}).`)
      : null,
    sub.error ? h('section', null, h('h2', null, sub.status === 'failed' ? 'Why it failed' : 'Note'), errorBox(sub.error)) : null,
    r
      ? h(
          'section',
          null,
          h('h2', null, 'Figures'),
          // With intervals the twelve columns outgrow a narrow window: the table scrolls, not the page.
          h('div', { class: 'table-scroll' }, statsTable(r.statNames, r.stats, ownIntervals(r))),
          intervalsNote(r),
        )
      : null,
    r?.perCategoryAp?.length
      ? h(
          'section',
          null,
          h('h2', null, 'AP per category (IoU .50:.95)'),
          perCategoryTable(m, r.perCategoryAp, r.perCategoryApIntervals && { bounds: r.perCategoryApIntervals, level: r.interval?.level }),
        )
      : null,
    r?.subsets ? h('section', null, h('h2', null, 'By attribute'), subsetTables(m, r)) : null,
  );
}

/**
 * The intervals of a submission's figures (a phase with intervals): every figure's, kept when it was
 * evaluated; for one evaluated before they were kept, the leaderboard figure's alone.
 */
function ownIntervals(r: EvaluationResult): { bounds: FigureBoundsJson[]; level?: number | undefined } | undefined {
  if (r.statIntervals) return { bounds: r.statIntervals, level: r.interval?.level };
  if (!r.interval) return undefined;
  const primary = r.statNames.indexOf(r.interval.figure);
  if (primary < 0) return undefined;
  const bounds: FigureBoundsJson[] = [];
  bounds[primary] = { low: r.interval.low, high: r.interval.high, defined: r.interval.defined };
  return { bounds, level: r.interval.level };
}

/** What the brackets mean, under figures with intervals (as under the leaderboard). */
function intervalsNote(r: EvaluationResult): HTMLElement | null {
  if (!r.interval) return null;
  const { level, resamples } = r.interval;
  return h(
    'p',
    { class: 'muted small', id: 'intervals-note' },
    `In brackets: each figure's ${levelPercent(level)} bootstrap interval over the images (${resamples.toLocaleString('en-US')} resamples, the same for every submission of the phase). ` +
      'It is about the image sample, not about how much the model varies between trainings.',
  );
}
