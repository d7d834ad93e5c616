/** The app's entry: takes a token handed in the URL (#token=…), then renders the page of the current hash. */
import { VERDICT_COLORS } from '../shared/colors.js';
import { getToken, setToken } from './api.js';
import { signinPage } from './account.js';
import { adminPage } from './admin.js';
import { h, mount } from './dom.js';
import { explorePage } from './explore.js';
import { imagePage } from './image-page.js';
import { leaderboardPage } from './leaderboard.js';
import { pairPage } from './pair-page.js';
import { retrievalExplainedPage } from './retrieval-explained.js';
import { pageMounter, parseHash, href, type Page } from './router.js';
import { forgetMe, lastSplit, whoAmI } from './state.js';
import { statsPage } from './stats-page.js';
import { submissionPage } from './submission-page.js';
import { submitPage } from './submit.js';

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
// The verdicts' colours have one source (src/shared/colors.ts); the style sheet reads them as --verdict-matched, ...
for (const [verdict, color] of Object.entries(VERDICT_COLORS)) document.documentElement.style.setProperty(`--verdict-${verdict}`, color);

const show = pageMounter(document.getElementById('app')!, PAGES);

/** Nav entries and the page names that light each up. */
const NAV: [string, string, string[]][] = [
  ['Explore', 'explore', ['explore', 'image', 'pair', 'query']],
  ['Statistics', 'stats', ['stats']],
  ['Leaderboard', 'leaderboard', ['leaderboard']],
  ['Submit', 'submit', ['submit', 'submission']],
  ['Admin', 'admin', ['admin']],
];

function renderNav(nav: HTMLElement, page: string): void {
  mount(
    nav,
    NAV.map(([label, target, pages]) => {
      const args = (target === 'explore' || target === 'stats') && lastSplit() ? [lastSplit()] : [];
      return h('a', { href: href(target, args), class: pages.includes(page) ? 'active' : '', 'data-nav': target }, label);
    }),
  );
}

function render(): void {
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
  renderNav(document.getElementById('nav')!, route.page);
  void whoAmI().then((me) => {
    const who = document.getElementById('who')!;
    who.replaceChildren(h('a', { href: href('signin'), id: 'who-link' }, me ? `${me.name}${me.team ? ` · ${me.team}` : ''}` : 'Sign in'));
  });
  // Pages return what they draw; only the router mounts them, and only while still current (router.ts).
  show(route.page, route);
}

window.addEventListener('hashchange', render);
render();
