/**
 * Hash routes: #/explore/SPLIT?filters, #/image/SPLIT/ID, #/pair/SPLIT/PAIR,
 * #/stats/SPLIT, #/leaderboard/TASK, #/submit, #/submission/ID, #/admin,
 * #/query/SPLIT/Q?layer=ID (retrieval explained).
 * The hash keeps every view linkable and the server a plain file server.
 *
 * THE RULE OF THE PAGES: a page never touches the app's root element. It is a
 * function of a {@link PageContext} that returns what it draws, and the router
 * alone mounts it, and only if that draw is still the latest one of the route
 * the user is on. A page whose requests come back late (a slow leaderboard, an
 * image page waiting for its layer) is dropped unseen, so it can never draw
 * over the page the user moved to. A page that draws itself again (polling an
 * index or a queued submission, after an action) calls `ctx.redraw()`, which
 * goes through the same rule; its timers ask `ctx.isCurrent()` before they run.
 * Later changes inside the page's own returned nodes (a list filled in, a
 * message) are safe: once the page is replaced those nodes are detached.
 */
import { errorBox, mount, type Child } from './dom.js';

export interface Route {
  page: string;
  /** Path segments after the page name, decoded. */
  args: string[];
  params: URLSearchParams;
}

/** What the router hands a page. */
export interface PageContext {
  route: Route;
  /** True while this draw is shown or about to be: false once the user moved on or a later draw of the page was shown. */
  isCurrent: () => boolean;
  /** Draws the page again for the same route, mounted under the same rule (nothing happens once the user moved on). */
  redraw: () => Promise<void>;
}

/** A page: what it draws for a route. A thrown error is shown in its place. */
export type Page = (ctx: PageContext) => Promise<Child>;

export function parseHash(hash: string): Route {
  const [path = '', search = ''] = hash.replace(/^#\/?/, '').split('?');
  const [page = '', ...args] = path.split('/').filter(Boolean).map(decodeURIComponent);
  return { page, args, params: new URLSearchParams(search) };
}

export function href(page: string, args: (string | number)[] = [], params?: Record<string, string | number | undefined> | URLSearchParams): string {
  const path = [page, ...args.map((a) => encodeURIComponent(String(a)))].join('/');
  const q =
    params instanceof URLSearchParams
      ? params
      : new URLSearchParams(
          Object.entries(params ?? {})
            .filter(([, v]) => v !== undefined && v !== '')
            .map(([k, v]) => [k, String(v)]),
        );
  const search = q.toString();
  return `#/${path}${search ? `?${search}` : ''}`;
}

export function go(target: string): void {
  if (location.hash === target) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = target;
}

/**
 * The one place that mounts pages into `root` (see the rule above). Returns
 * `show`, to call on every navigation. On `root`, for tests and scripts:
 * `aria-busy` is true from a navigation until its page is mounted,
 * `data-page` names the page shown, `data-render` counts mounted draws and
 * `data-dropped` counts draws that finished after the user had moved on.
 */
export function pageMounter(root: HTMLElement, pages: Record<string, Page>): (page: string, route: Route) => void {
  /** Bumped by each navigation: draws of an older one are dropped. */
  let navigation = 0;
  /** Each draw's number, and the number of the draw now shown. */
  let draws = 0;
  let shown = 0;
  let mounted = 0;
  let dropped = 0;

  const draw = async (name: string, route: Route, ofNavigation: number): Promise<void> => {
    const mine = ++draws;
    const isCurrent = (): boolean => ofNavigation === navigation && shown <= mine;
    const ctx: PageContext = {
      route,
      isCurrent,
      redraw: () => (ofNavigation === navigation ? draw(name, route, ofNavigation) : Promise.resolve()),
    };
    let drawing: Child;
    try {
      drawing = await pages[name]!(ctx);
    } catch (err) {
      drawing = errorBox((err as Error).message);
    }
    if (!isCurrent()) {
      root.dataset.dropped = String(++dropped);
      return;
    }
    shown = mine;
    mount(root, drawing);
    root.dataset.page = name;
    root.dataset.render = String(++mounted);
    root.setAttribute('aria-busy', 'false');
  };

  return (name, route) => {
    const ofNavigation = ++navigation;
    root.setAttribute('aria-busy', 'true');
    void draw(name, route, ofNavigation);
  };
}
