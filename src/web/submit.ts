/**
 * The submit form (phase, task, method name, description, paper and code
 * links, public flag, results file) and the list of one's own submissions,
 * where a queued one can be cancelled and the public flag changed.
 */
import { api, type PhaseJson, type SubmissionJson } from './api.js';
import { tokenForm } from './account.js';
import { count, errorBox, h, mount, when, type Child } from './dom.js';
import { href, type PageContext } from './router.js';
import { challengeInfo, forgetMe, meta, whoAmI } from './state.js';

export const statusBadge = (s: SubmissionJson): HTMLElement => h('span', { class: `status ${s.status}`, 'data-status': s.status }, s.status);

/** A submission's main figure, or why there is none. */
function primaryCell(s: SubmissionJson): HTMLElement {
  if (s.figures_hidden_until) return h('td', { class: 'muted', title: `shown after ${when(s.figures_hidden_until)}` }, 'hidden');
  if (s.stats) return h('td', { class: 'num' }, (s.task === 'retrieval' ? s.stats[4] : s.stats[0])?.toFixed(4) ?? '');
  return h('td', { class: 'num' }, s.error ? h('span', { class: 'warn', title: s.error }, 'see details') : s.status === 'cancelled' ? '' : '…');
}

function submissionRows(subs: SubmissionJson[], refresh: () => Promise<void>, report: (message: string) => void): HTMLElement {
  if (subs.length === 0) return h('p', { class: 'muted' }, 'No submission yet.');
  const act = (work: () => Promise<unknown>) => async () => {
    try {
      await work();
    } catch (err) {
      report((err as Error).message);
    }
    await refresh();
  };
  return h(
    'table',
    { class: 'figures', id: 'my-submissions' },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        ['#', 'phase', 'task', 'method', 'status', 'submitted', 'main figure', 'public', ''].map((t) => h('th', null, t)),
      ),
    ),
    h(
      'tbody',
      null,
      subs.map((s) =>
        h(
          'tr',
          { 'data-submission': s.id },
          h('td', null, h('a', { href: href('submission', [s.id]) }, `#${s.id}`)),
          h('td', null, s.phase),
          h('td', null, s.task),
          h('td', null, s.name, h('div', { class: 'muted small' }, `${s.file_name} (${count(Math.round(s.file_bytes / 1024))} KB)`)),
          h('td', null, statusBadge(s)),
          h('td', { class: 'muted' }, when(s.created_at)),
          primaryCell(s),
          h(
            'td',
            null,
            h('input', {
              type: 'checkbox',
              class: 'public-toggle',
              checked: s.public,
              title: 'public: on the public leaderboard',
              onchange: act(() => api.updateSubmission(s.id, { public: !s.public })),
            }),
          ),
          h('td', null, s.status === 'queued' ? h('button', { type: 'button', class: 'link cancel', onclick: act(() => api.cancel(s.id)) }, 'cancel') : null),
        ),
      ),
    ),
  );
}

function limitsText(p: PhaseJson): string {
  const parts = [
    p.limits.per_day !== null ? `${p.limits.per_day} a day` : '',
    p.limits.per_month !== null ? `${p.limits.per_month} a month` : '',
    p.limits.total !== null ? `${p.limits.total} in all` : '',
  ].filter(Boolean);
  return parts.length > 0 ? `Per team and task: ${parts.join(', ')}; failed ones do not count.` : 'No limit on submissions.';
}

export async function submitPage(ctx: PageContext): Promise<Child> {
  const { isCurrent } = ctx;
  const [m, challenge] = await Promise.all([meta(), challengeInfo()]);
  forgetMe();
  const me = await whoAmI();
  if (!me) {
    return h(
      'div',
      { class: 'page narrow' },
      h('h1', null, 'Submit results'),
      h('p', null, h('a', { href: href('signin'), class: 'button primary', id: 'go-signin' }, 'Sign in'), ' to submit.'),
      tokenForm(() => void ctx.redraw()),
    );
  }
  const open = challenge.phases.filter((p) => p.state === 'open' && p.tasks.length > 0);
  const phaseSelect = h(
    'select',
    { id: 'phase', name: 'phase' },
    open.map((p) => h('option', { value: p.name }, p.name)),
  );
  const taskSelect = h('select', { id: 'task', name: 'task' });
  const limits = h('p', { class: 'hint', id: 'limits' });
  const fillTasks = (): void => {
    const phase = open.find((p) => p.name === phaseSelect.value);
    mount(
      taskSelect,
      (phase?.tasks ?? []).map((t) => h('option', { value: t }, t)),
    );
    limits.textContent = phase
      ? `${limitsText(phase)}${phase.end ? ` Closes ${when(phase.end)}.` : ''}${phase.scores === 'after_end' ? ' Figures are shown once the phase has ended.' : ''}`
      : '';
  };
  phaseSelect.addEventListener('change', fillTasks);
  fillTasks();
  const input = (id: string, attrs: Record<string, string | number | boolean>) => h('input', { id, name: id, ...attrs });
  const nameInput = input('name', { type: 'text', required: true, maxlength: 80, placeholder: 'method, e.g. Match R-CNN r50' });
  const description = h('textarea', { id: 'description', name: 'description', maxlength: 2000, rows: 3, placeholder: 'what the method does (optional)' });
  const paperUrl = input('paper_url', { type: 'url', maxlength: 500, placeholder: 'https://… (optional)', pattern: 'https?://.+' });
  const codeUrl = input('code_url', { type: 'url', maxlength: 500, placeholder: 'https://… (optional)', pattern: 'https?://.+' });
  const isPublic = input('public', { type: 'checkbox', checked: true });
  const fileInput = input('file', { type: 'file', accept: '.json,application/json', required: true });
  const message = h('div', { id: 'submit-message', role: 'status' });
  const button = h('button', { type: 'submit', class: 'primary', id: 'submit-button' }, 'Submit');
  const listBox = h('div', { id: 'submissions-box' });
  const refresh = async (): Promise<void> => {
    const subs = await api.submissions();
    if (!isCurrent()) return;
    mount(
      listBox,
      submissionRows(subs, refresh, (text) => mount(message, errorBox(text))),
    );
    if (subs.some((s) => s.status === 'queued' || s.status === 'running'))
      setTimeout(() => {
        if (isCurrent()) void refresh();
      }, 1000);
  };
  const form = h(
    'form',
    {
      class: 'card-form',
      id: 'submit-form',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const file = fileInput.files?.[0];
        if (!file) return;
        if (file.size > m.max_upload_bytes) {
          mount(message, errorBox(`The file is ${count(file.size)} bytes; the limit is ${count(m.max_upload_bytes)}.`));
          return;
        }
        button.disabled = true;
        mount(message, h('span', { class: 'muted' }, `Uploading ${file.name}…`));
        try {
          const { id } = await api.submit(
            {
              phase: phaseSelect.value,
              task: taskSelect.value,
              name: nameInput.value.trim(),
              description: description.value.trim(),
              paper_url: paperUrl.value.trim(),
              code_url: codeUrl.value.trim(),
              public: isPublic.checked,
            },
            file,
          );
          mount(
            message,
            h(
              'span',
              { class: 'ok' },
              'Accepted as ',
              h('a', { href: href('submission', [id]), id: 'submitted-link' }, `#${id}`),
              '; it is queued for evaluation.',
            ),
          );
          form.reset();
          fillTasks();
          void refresh();
        } catch (err) {
          mount(message, errorBox((err as Error).message));
        } finally {
          button.disabled = false;
        }
      },
    },
    h('h2', null, 'New submission'),
    open.length === 0 ? errorBox('No phase takes submissions now.') : null,
    h(
      'div',
      { class: 'row two' },
      h('div', null, h('label', { for: 'phase' }, 'Phase'), phaseSelect),
      h('div', null, h('label', { for: 'task' }, 'Task'), taskSelect),
    ),
    h('label', { for: 'name' }, 'Method name'),
    nameInput,
    h('label', { for: 'description' }, 'Description'),
    description,
    h(
      'div',
      { class: 'row two' },
      h('div', null, h('label', { for: 'paper_url' }, 'Paper'), paperUrl),
      h('div', null, h('label', { for: 'code_url' }, 'Code'), codeUrl),
    ),
    h('label', { class: 'toggle' }, isPublic, ' public: on the public leaderboard (you can change it later)'),
    h('label', { for: 'file' }, 'Results file (JSON, as written for ', h('code', null, 'df2 eval'), ')'),
    fileInput,
    limits,
    h('p', { class: 'hint' }, `At most ${count(Math.round(m.max_upload_bytes / 1024 ** 2))} MB.`),
    button,
    message,
  );
  await refresh();
  return h(
    'div',
    { class: 'page narrow' },
    h(
      'header',
      { class: 'page-head' },
      h('h1', null, 'Submit results'),
      h('span', { class: 'muted', id: 'signed-in-as' }, `signed in as ${me.name}${me.team ? ` (team ${me.team})` : ''}${me.admin ? ' (admin)' : ''}`),
    ),
    form,
    h('h2', null, 'Your submissions'),
    listBox,
  );
}
