/**
 * Hash routes: #/explore/SPLIT?filters, #/image/SPLIT/ID, #/pair/SPLIT/PAIR,
 * #/stats/SPLIT, #/leaderboard/TASK, #/submit, #/submission/ID, #/admin,
 * #/query/SPLIT/Q?layer=ID (retrieval explained).
 * The hash keeps every view linkable and the server a plain file server.
 */

export interface Route {
  page: string;
  /** Path segments after the page name, decoded. */
  args: string[];
  params: URLSearchParams;
}

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
