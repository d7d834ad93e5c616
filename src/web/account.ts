/**
 * Signing in and up in the browser (#/signin): name and password give a
 * session cookie the page never sees (HttpOnly); sign-up is offered when the
 * challenge's registration is open, with an invite-code field when it is by
 * invite. An API token can be saved instead, as scripts use.
 */
import { api, setToken } from './api.js';
import { errorBox, h, mount, type Child } from './dom.js';
import { go, href, type PageContext } from './router.js';
import { challengeInfo, forgetMe, whoAmI } from './state.js';

/** The API-token form, shared with the Submit page. */
export function tokenForm(onSaved: () => void): HTMLElement {
  const input = h('input', { type: 'password', id: 'token', placeholder: 'df2_…', autocomplete: 'off' });
  return h(
    'form',
    {
      class: 'card-form',
      id: 'token-form',
      onsubmit: (e: Event) => {
        e.preventDefault();
        setToken(input.value.trim());
        forgetMe();
        onSaved();
      },
    },
    h('h2', null, 'API token'),
    h('p', { class: 'hint' }, 'Or use a token from the organizers (', h('code', null, 'df2 users add NAME'), '). It stays in this browser.'),
    h('div', { class: 'row' }, input, h('button', { type: 'submit' }, 'Save')),
  );
}

export async function signinPage(_ctx: PageContext): Promise<Child> {
  const [challenge, me] = await Promise.all([challengeInfo(), whoAmI()]);
  const message = h('div', { id: 'account-message', role: 'status' });
  const done = (): void => {
    forgetMe();
    go(href('submit'));
  };
  if (me) {
    return h(
      'div',
      { class: 'page narrow' },
      h('h1', null, 'Account'),
      h('p', null, `Signed in as ${me.name}${me.team ? ` (team ${me.team})` : ''}.`),
      h(
        'button',
        {
          type: 'button',
          id: 'sign-out',
          onclick: async () => {
            await api.logout();
            setToken('');
            forgetMe();
            go(href('signin'));
          },
        },
        'Sign out',
      ),
    );
  }
  const field = (id: string, label: string, attrs: Record<string, string | boolean | number>) => [
    h('label', { for: id }, label),
    h('input', { id, name: id, ...attrs }),
  ];
  const signin = h(
    'form',
    {
      class: 'card-form',
      id: 'signin-form',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const data = new FormData(signin);
        try {
          await api.login(formText(data, 'signin-name'), formText(data, 'signin-password'));
          done();
        } catch (err) {
          mount(message, errorBox((err as Error).message));
        }
      },
    },
    h('h2', null, 'Sign in'),
    field('signin-name', 'Name', { type: 'text', required: true, autocomplete: 'username', maxlength: 40 }),
    field('signin-password', 'Password', { type: 'password', required: true, autocomplete: 'current-password' }),
    h('button', { type: 'submit', class: 'primary' }, 'Sign in'),
  );

  const signup =
    challenge.registration === 'closed'
      ? h('p', { class: 'hint' }, 'Accounts are made by the organizers.')
      : h(
          'form',
          {
            class: 'card-form',
            id: 'signup-form',
            onsubmit: async (e: Event) => {
              e.preventDefault();
              const data = new FormData(signup as HTMLFormElement);
              const password = formText(data, 'signup-password');
              if (password !== formText(data, 'signup-password2')) {
                mount(message, errorBox('The two passwords differ.'));
                return;
              }
              try {
                await api.signup(formText(data, 'signup-name'), password, data.get('signup-invite') ? formText(data, 'signup-invite') : undefined);
                done();
              } catch (err) {
                mount(message, errorBox((err as Error).message));
              }
            },
          },
          h('h2', null, 'Create an account'),
          field('signup-name', 'Name (shown on the leaderboard)', {
            type: 'text',
            required: true,
            autocomplete: 'username',
            maxlength: 40,
            pattern: '[A-Za-z0-9][A-Za-z0-9._\\-]*',
          }),
          field('signup-password', 'Password (8 characters or more)', { type: 'password', required: true, minlength: 8, autocomplete: 'new-password' }),
          field('signup-password2', 'Password again', { type: 'password', required: true, minlength: 8, autocomplete: 'new-password' }),
          challenge.registration === 'invite' ? field('signup-invite', 'Invite code', { type: 'text', required: true, autocomplete: 'off' }) : null,
          h('button', { type: 'submit', class: 'primary' }, 'Create account'),
        );

  return h('div', { class: 'page narrow' }, h('h1', null, 'Sign in'), message, h('div', { class: 'two-forms' }, signin, signup), tokenForm(done));
}

/** A text field of a form ('' when absent; a file field is not text). */
function formText(data: FormData, name: string): string {
  const value = data.get(name);
  return typeof value === 'string' ? value : '';
}
