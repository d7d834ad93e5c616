/** The app's entry: takes a token handed in the URL (#token=…), then renders the page of the current hash. */
import { getToken, setToken } from './api.js';
import { signinPage } from './account.js';
import { adminPage } from './admin.js';
import { errorBox, h, mount } from './dom.js';
import { explorePage } from './explore.js';
import { imagePage } from './image-page.js';
import { leaderboardPage } from './leaderboard.js';
import { pairPage } from './pair-page.js';
import { retrievalExplainedPage } from './retrieval-explained.js';
import { parseHash, href, type Route } from './router.js';
import { forgetMe, lastSplit, whoAmI } from './state.js';
import { statsPage } from './stats-page.js';
import { submissionPage } from './submission-page.js';
import { submitPage } from './submit.js';

type Page = (root: HTMLElement, route: Route, isCurrent: () => boolean) => Promise<void>;

const PAGES: Record<string, Page> = {
  explore: explorePage,
  image: imagePage,
  pair: pairPage,
  stats: statsPage,
  leaderboard: leaderboardPage,
  submit: submitPage,
  submission: submissionPage,
  admin: adminPage,
  signin: signinPage,
  query: retrievalExplainedPage,
};
/** Nav entries and the page names that light each up. */
const NAV: [string, string, string[]][] = [
  ['Explore', 'explore', ['explore', 'image', 'pair', 'query']],
  ['Statistics', 'stats', ['stats']],
  ['Leaderboard', 'leaderboard', ['leaderboard']],
  ['Submit', 'submit', ['submit', 'submission']],
  ['Admin', 'admin', ['admin']],
];

let generation = 0;

function renderNav(nav: HTMLElement, page: string): void {
  mount(
    nav,
    NAV.map(([label, target, pages]) => {
      const args = (target === 'explore' || target === 'stats') && lastSplit() ? [lastSplit()] : [];
      return h('a', { href: href(target, args), class: pages.includes(page) ? 'active' : '', 'data-nav': target }, label);
    }),
  );
}

async function render(): Promise<void> {
  // A token in the URL (printed by `df2 serve --demo`) is saved and removed from the address bar;
  // a link must not silently swap the account this browser uses, so a different saved token is kept unless the user agrees.
  const tokenMatch = /^#token=([\w-]+)$/.exec(location.hash);
  if (tokenMatch) {
    const current = getToken();
    if (!current || current === tokenMatch[1] || window.confirm('This link carries another API token. Replace the token saved in this browser with it?')) {
      setToken(tokenMatch[1]!);
      forgetMe();
    }
    history.replaceState(null, '', location.pathname + href('explore'));
  }
  const route = parseHash(location.hash);
  if (!PAGES[route.page]) route.page = 'explore';
  const mine = ++generation;
  const root = document.getElementById('app')!;
  renderNav(document.getElementById('nav')!, route.page);
  void whoAmI().then((me) => {
    const who = document.getElementById('who')!;
    who.replaceChildren(h('a', { href: href('signin'), id: 'who-link' }, me ? `${me.name}${me.team ? ` · ${me.team}` : ''}` : 'Sign in'));
  });
  root.setAttribute('aria-busy', 'true');
  try {
    await PAGES[route.page]!(root, route, () => mine === generation);
  } catch (err) {
    if (mine === generation) mount(root, errorBox((err as Error).message));
  } finally {
    if (mine === generation) {
      root.setAttribute('aria-busy', 'false');
      root.dataset.page = route.page;
      // Counts finished renders, so that a test (or a script) can wait for the next one.
      root.dataset.render = String(mine);
    }
  }
}

window.addEventListener('hashchange', () => void render());
void render();
