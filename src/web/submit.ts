/** The submit form (API token, task, name, results file) and the list of one's own submissions. */
import { api, getToken, setToken, type SubmissionJson } from './api.js';
import { count, errorBox, h, mount, when } from './dom.js';
import { href, type Route } from './router.js';
import { meta } from './state.js';

export const statusBadge = (s: SubmissionJson): HTMLElement =>
  h('span', { class: `status ${s.status}`, 'data-status': s.status }, s.status);

function tokenForm(onSaved: () => void): HTMLElement {
  const input = h('input', { type: 'password', id: 'token', placeholder: 'df2_…', autocomplete: 'off', value: getToken() });
  return h('form', { class: 'card-form', onsubmit: (e: Event) => { e.preventDefault(); setToken(input.value.trim()); onSaved(); } },
    h('h2', null, 'API token'),
    h('p', { class: 'hint' }, 'Ask the organizer for a token (`df2 users add NAME`). It stays in this browser.'),
    h('div', { class: 'row' }, input, h('button', { type: 'submit' }, 'Save')));
}

function submissionRows(subs: SubmissionJson[]): HTMLElement {
  if (subs.length === 0) return h('p', { class: 'muted' }, 'No submission yet.');
  return h('table', { class: 'figures', id: 'my-submissions' },
    h('thead', null, h('tr', null, ['#', 'task', 'name', 'file', 'status', 'submitted', 'primary'].map((t) => h('th', null, t)))),
    h('tbody', null, subs.map((s) => h('tr', { 'data-submission': s.id },
      h('td', null, h('a', { href: href('submission', [s.id]) }, `#${s.id}`)), h('td', null, s.task), h('td', null, s.name),
      h('td', { class: 'muted' }, `${s.file_name} (${count(Math.round(s.file_bytes / 1024))} KB)`), h('td', null, statusBadge(s)),
      h('td', { class: 'muted' }, when(s.created_at)),
      h('td', { class: 'num' }, s.stats ? (s.task === 'retrieval' ? s.stats[4] : s.stats[0])?.toFixed(4) ?? '' : s.error ? h('span', { class: 'warn', title: s.error }, 'see details') : '…')))));
}

export async function submitPage(root: HTMLElement, _route: Route, isCurrent: () => boolean): Promise<void> {
  const m = await meta();
  const render = async (): Promise<void> => {
    if (!getToken()) {
      mount(root, h('div', { class: 'page narrow' }, h('h1', null, 'Submit results'), tokenForm(() => void render())));
      return;
    }
    let me;
    try {
      me = await api.me();
    } catch (err) {
      mount(root, h('div', { class: 'page narrow' }, h('h1', null, 'Submit results'), errorBox((err as Error).message), tokenForm(() => void render())));
      return;
    }
    const taskSelect = h('select', { id: 'task', name: 'task' }, m.tasks.map((t) => h('option', { value: t }, t)));
    const nameInput = h('input', { id: 'name', name: 'name', type: 'text', required: true, maxlength: 80, placeholder: 'e.g. mask-rcnn r50, 12 epochs' });
    const fileInput = h('input', { id: 'file', name: 'file', type: 'file', accept: '.json,application/json', required: true });
    const message = h('div', { id: 'submit-message', role: 'status' });
    const button = h('button', { type: 'submit', class: 'primary', id: 'submit-button' }, 'Submit');
    const listBox = h('div', { id: 'submissions-box' });
    const refresh = async (): Promise<void> => {
      const subs = await api.submissions();
      if (!isCurrent()) return;
      mount(listBox, submissionRows(subs));
      if (subs.some((s) => s.status === 'queued' || s.status === 'running')) setTimeout(() => { if (isCurrent()) void refresh(); }, 1000);
    };
    const form = h('form', { class: 'card-form', id: 'submit-form', onsubmit: async (e: Event) => {
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
        const { id } = await api.submit(taskSelect.value, nameInput.value.trim(), file);
        mount(message, h('span', { class: 'ok' }, 'Accepted as ', h('a', { href: href('submission', [id]), id: 'submitted-link' }, `#${id}`), '; it is queued for evaluation.'));
        form.reset();
        void refresh();
      } catch (err) {
        mount(message, errorBox((err as Error).message));
      } finally {
        button.disabled = false;
      }
    } },
    h('h2', null, 'New submission'),
    m.tasks.length === 0 ? errorBox('This server has no ground truth (--gt-dir), so there is nothing to submit to.') : null,
    h('label', { for: 'task' }, 'Task'), taskSelect,
    h('label', { for: 'name' }, 'Name'), nameInput,
    h('label', { for: 'file' }, 'Results file (JSON, as written for `df2 eval`)'), fileInput,
    h('p', { class: 'hint' }, `Up to ${count(m.quota)} submissions per task per day; at most ${count(Math.round(m.max_upload_bytes / 1024 ** 2))} MB.`),
    button, message);
    mount(root, h('div', { class: 'page narrow' },
      h('header', { class: 'page-head' }, h('h1', null, 'Submit results'),
        h('span', { class: 'muted' }, `signed in as ${me.name}${me.admin ? ' (admin)' : ''} · `),
        h('button', { class: 'link', type: 'button', onclick: () => { setToken(''); void render(); } }, 'forget token')),
      form,
      h('h2', null, 'Your submissions'), listBox));
    await refresh();
  };
  await render();
}
