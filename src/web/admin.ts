/**
 * Admin page: create users with a team (the new token is shown once), revoke
 * them or give them a new token, make invite codes, add a split directory,
 * re-index a split.
 */
import { api } from './api.js';
import { count, errorBox, h, mount, when, type Child } from './dom.js';
import { href, type PageContext } from './router.js';

export async function adminPage(ctx: PageContext): Promise<Child> {
  const again = (): Promise<void> => ctx.redraw();
  let users;
  try {
    users = await api.users();
  } catch (err) {
    return h(
      'div',
      { class: 'page narrow' },
      h('h1', null, 'Admin'),
      errorBox((err as Error).message),
      h('p', null, h('a', { href: href('signin') }, 'Sign in'), ' as an admin, or save an admin token, first.'),
    );
  }
  const splits = await api.splits();
  const out = h('div', { id: 'admin-message', role: 'status' });
  const name = h('input', { type: 'text', id: 'new-user', placeholder: 'name', required: true });
  const admin = h('input', { type: 'checkbox', id: 'new-admin' });
  const team = h('input', { type: 'text', id: 'new-team', placeholder: 'team (optional)', maxlength: 40 });
  /** Shows a token once, with whose it is. */
  const showToken = (name: string, token: string | undefined): void =>
    mount(
      document.getElementById('admin-message') ?? out,
      h('div', { class: 'ok' }, `Token for ${name} (shown once): `, h('code', { id: 'new-token' }, token ?? '')),
    );
  const act = (work: () => Promise<void>) => async () => {
    try {
      await work();
    } catch (err) {
      mount(out, errorBox((err as Error).message));
    }
  };
  const userForm = h(
    'form',
    {
      class: 'card-form',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        try {
          const u = await api.addUser(name.value.trim(), admin.checked, team.value.trim());
          await again();
          showToken(u.name, u.token);
        } catch (err) {
          mount(out, errorBox((err as Error).message));
        }
      },
    },
    h('h2', null, 'New user'),
    h('div', { class: 'row' }, name, team, h('label', { class: 'toggle' }, admin, ' admin'), h('button', { type: 'submit' }, 'Create')),
  );
  const invite = h(
    'div',
    { class: 'card-form' },
    h('h2', null, 'Invite codes'),
    h('p', { class: 'hint' }, 'With registration: invite, each code signs up one account.'),
    h(
      'button',
      {
        type: 'button',
        id: 'new-invite',
        onclick: act(async () => {
          const { code } = await api.newInvite();
          mount(out, h('div', { class: 'ok' }, 'Invite code (shown once): ', h('code', { id: 'invite-code' }, code)));
        }),
      },
      'New invite code',
    ),
  );
  const dir = h('input', { type: 'text', id: 'split-dir', placeholder: '/data/deepfashion2/validation', required: true });
  const splitName = h('input', { type: 'text', id: 'split-name', placeholder: 'name (optional)' });
  const splitForm = h(
    'form',
    {
      class: 'card-form',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        try {
          const sp = await api.addSplit(dir.value.trim(), splitName.value.trim());
          mount(out, h('div', { class: 'ok' }, `Added ${sp.name}; indexing. `, h('a', { href: href('explore', [sp.name]) }, 'Explore it')));
        } catch (err) {
          mount(out, errorBox((err as Error).message));
        }
      },
    },
    h('h2', null, 'Add a split'),
    h('p', { class: 'hint' }, 'A directory on the server holding annos/ and image/.'),
    h('div', { class: 'row' }, dir, splitName, h('button', { type: 'submit' }, 'Add')),
  );
  return h(
    'div',
    { class: 'page narrow' },
    h('h1', null, 'Admin'),
    out,
    userForm,
    invite,
    splitForm,
    h('h2', null, 'Splits'),
    h(
      'table',
      { class: 'figures' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          ['split', 'images', 'items', 'bad files', 'indexed', ''].map((t) => h('th', null, t)),
        ),
      ),
      h(
        'tbody',
        null,
        splits.map((sp) =>
          h(
            'tr',
            null,
            h('td', null, h('a', { href: href('explore', [sp.name]) }, sp.name)),
            h('td', { class: 'num' }, count(sp.images)),
            h('td', { class: 'num' }, count(sp.items)),
            h('td', { class: 'num' }, count(sp.bad_files)),
            h('td', { class: 'muted' }, when(sp.indexed_at)),
            h(
              'td',
              null,
              h(
                'button',
                {
                  type: 'button',
                  onclick: async () => {
                    await api.reindex(sp.name);
                    mount(out, h('div', { class: 'ok' }, `Re-indexing ${sp.name}.`));
                  },
                },
                'Re-index',
              ),
            ),
          ),
        ),
      ),
    ),
    h('h2', null, 'Users'),
    h(
      'table',
      { class: 'figures', id: 'users' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          ['name', 'team', 'admin', 'created', ''].map((t) => h('th', null, t)),
        ),
      ),
      h(
        'tbody',
        null,
        users.map((u) =>
          h(
            'tr',
            { 'data-user': u.name, class: u.revoked ? 'revoked' : '' },
            h('td', null, u.name, u.revoked ? h('span', { class: 'badge' }, 'revoked') : null),
            h('td', null, u.team ?? ''),
            h('td', null, u.admin ? 'yes' : ''),
            h('td', { class: 'muted' }, when(u.created_at)),
            h(
              'td',
              null,
              h(
                'button',
                {
                  type: 'button',
                  class: 'rotate',
                  title: 'a new token; the old one stops working at once',
                  onclick: act(async () => {
                    const r = await api.rotateUser(u.name);
                    await again();
                    showToken(r.name, r.token);
                  }),
                },
                'New token',
              ),
              ' ',
              u.revoked
                ? null
                : h(
                    'button',
                    {
                      type: 'button',
                      class: 'revoke',
                      onclick: act(async () => {
                        if (!window.confirm(`Revoke ${u.name}? Their token and sessions stop working at once.`)) return;
                        await api.revokeUser(u.name);
                        await again();
                      }),
                    },
                    'Revoke',
                  ),
            ),
          ),
        ),
      ),
    ),
  );
}
