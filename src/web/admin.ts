/** Admin page: create users (shows the new token once), add a split directory, re-index a split. */
import { api } from './api.js';
import { count, errorBox, h, mount, when } from './dom.js';
import { href, type Route } from './router.js';

export async function adminPage(root: HTMLElement, _route: Route): Promise<void> {
  let users;
  try {
    users = await api.users();
  } catch (err) {
    mount(root, h('div', { class: 'page narrow' }, h('h1', null, 'Admin'), errorBox((err as Error).message),
      h('p', null, 'Save an admin token on the ', h('a', { href: href('submit') }, 'Submit'), ' page first.')));
    return;
  }
  const splits = await api.splits();
  const out = h('div', { id: 'admin-message', role: 'status' });
  const name = h('input', { type: 'text', id: 'new-user', placeholder: 'name', required: true });
  const admin = h('input', { type: 'checkbox', id: 'new-admin' });
  const userForm = h('form', { class: 'card-form', onsubmit: async (e: Event) => {
    e.preventDefault();
    try {
      const u = await api.addUser(name.value.trim(), admin.checked);
      mount(out, h('div', { class: 'ok' }, `Token for ${u.name} (shown once): `, h('code', { id: 'new-token' }, u.token ?? '')));
    } catch (err) {
      mount(out, errorBox((err as Error).message));
    }
  } }, h('h2', null, 'New user'), h('div', { class: 'row' }, name, h('label', { class: 'toggle' }, admin, ' admin'), h('button', { type: 'submit' }, 'Create')));
  const dir = h('input', { type: 'text', id: 'split-dir', placeholder: '/data/deepfashion2/validation', required: true });
  const splitName = h('input', { type: 'text', id: 'split-name', placeholder: 'name (optional)' });
  const splitForm = h('form', { class: 'card-form', onsubmit: async (e: Event) => {
    e.preventDefault();
    try {
      const sp = await api.addSplit(dir.value.trim(), splitName.value.trim());
      mount(out, h('div', { class: 'ok' }, `Added ${sp.name}; indexing. `, h('a', { href: href('explore', [sp.name]) }, 'Explore it')));
    } catch (err) {
      mount(out, errorBox((err as Error).message));
    }
  } }, h('h2', null, 'Add a split'), h('p', { class: 'hint' }, 'A directory on the server holding annos/ and image/.'), h('div', { class: 'row' }, dir, splitName, h('button', { type: 'submit' }, 'Add')));
  mount(root, h('div', { class: 'page narrow' }, h('h1', null, 'Admin'), out, userForm, splitForm,
    h('h2', null, 'Splits'),
    h('table', { class: 'figures' }, h('thead', null, h('tr', null, ['split', 'images', 'items', 'bad files', 'indexed', ''].map((t) => h('th', null, t)))),
      h('tbody', null, splits.map((sp) => h('tr', null, h('td', null, h('a', { href: href('explore', [sp.name]) }, sp.name)),
        h('td', { class: 'num' }, count(sp.images)), h('td', { class: 'num' }, count(sp.items)), h('td', { class: 'num' }, count(sp.bad_files)),
        h('td', { class: 'muted' }, when(sp.indexed_at)),
        h('td', null, h('button', { type: 'button', onclick: async () => { await api.reindex(sp.name); mount(out, h('div', { class: 'ok' }, `Re-indexing ${sp.name}.`)); } }, 'Re-index')))))),
    h('h2', null, 'Users'),
    h('table', { class: 'figures' }, h('thead', null, h('tr', null, h('th', null, 'name'), h('th', null, 'admin'), h('th', null, 'created'))),
      h('tbody', null, users.map((u) => h('tr', null, h('td', null, u.name), h('td', null, u.admin ? 'yes' : ''), h('td', { class: 'muted' }, when(u.created_at))))))));
}
