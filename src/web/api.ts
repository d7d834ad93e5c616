/** The df2 serve API as typed calls; the API token lives in localStorage. */

export type {
  BadFileJson,
  ChallengeJson,
  PhaseJson,
  CategoryApJson,
  EvaluationResult,
  FigureBoundsJson,
  ImageJson,
  IndexingJson,
  ItemJson,
  LeaderboardJson,
  PairJson,
  SplitJson,
  StatsJson,
  SubmissionJson,
  TaskJson,
  UserJson,
  CategoryJson as Category,
  FacetCountsJson as FacetCounts,
  ImagePageJson as ImagePage,
  MetaJson as Meta,
} from '../shared/api-types.js';
import type {
  BadFileJson,
  ChallengeJson,
  FacetCountsJson,
  ImageJson,
  ImagePageJson,
  LeaderboardJson,
  MetaJson,
  PairJson,
  SplitJson,
  StatsJson,
  SubmissionJson,
  TaskJson,
  UserJson,
} from '../shared/api-types.js';

class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** A token saved for scripts-style use of the app; a browser account signs in with a session cookie instead. */
const TOKEN_KEY = 'df2.token';
export const getToken = (): string => localStorage.getItem(TOKEN_KEY) ?? '';
export const setToken = (token: string): void => {
  if (token) localStorage.setItem(TOKEN_KEY, token);
  else localStorage.removeItem(TOKEN_KEY);
};

export async function request<T>(path: string, init: RequestInit = {}): Promise<T> {
  const headers = new Headers(init.headers);
  const token = getToken();
  if (token) headers.set('authorization', `Bearer ${token}`);
  const res = await fetch(path, { ...init, headers });
  const body = (await res.json().catch(() => ({}))) as { error?: string };
  if (!res.ok) throw new ApiError(res.status, body.error ?? `${res.status} ${res.statusText}`);
  return body as T;
}

const post = <T>(path: string, body: unknown): Promise<T> =>
  request<T>(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

const query = (params: Record<string, string | number | undefined>): string => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  return q.toString();
};

export const api = {
  meta: () => request<MetaJson>('/api/meta'),
  splits: () => request<SplitJson[]>('/api/splits'),
  addSplit: (dir: string, name?: string) =>
    request<SplitJson>('/api/splits', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ dir, name: name || undefined }),
    }),
  reindex: (split: string) => request<SplitJson>(`/api/splits/${encodeURIComponent(split)}/reindex`, { method: 'POST' }),
  badFiles: (split: string) => request<BadFileJson[]>(`/api/splits/${encodeURIComponent(split)}/bad-files`),
  images: (params: Record<string, string | number | undefined>) => request<ImagePageJson>(`/api/images?${query(params)}`),
  facets: (params: Record<string, string | number | undefined>) => request<FacetCountsJson>(`/api/facets?${query(params)}`),
  image: (split: string, id: number) => request<ImageJson>(`/api/images/${encodeURIComponent(split)}/${id}`),
  pair: (split: string, pairId: number) => request<PairJson>(`/api/pairs/${encodeURIComponent(split)}/${pairId}`),
  stats: (split: string) => request<StatsJson>(`/api/stats/${encodeURIComponent(split)}`),
  tasks: () => request<TaskJson[]>('/api/tasks'),
  challenge: () => request<ChallengeJson>('/api/challenge'),
  me: () => request<UserJson>('/api/me'),
  signup: (name: string, password: string, invite?: string) => post<UserJson>('/api/signup', { name, password, invite: invite || undefined }),
  login: (name: string, password: string) => post<UserJson>('/api/login', { name, password }),
  logout: () => post<{ ok: boolean }>('/api/logout', {}),
  newInvite: () => post<{ code: string }>('/api/invites', {}),
  users: () => request<UserJson[]>('/api/users'),
  addUser: (name: string, admin: boolean, team?: string) => post<UserJson>('/api/users', { name, admin, team: team || undefined }),
  revokeUser: (name: string) => post<UserJson>(`/api/users/${encodeURIComponent(name)}/revoke`, {}),
  rotateUser: (name: string) => post<UserJson>(`/api/users/${encodeURIComponent(name)}/rotate`, {}),
  submissions: (all = false) => request<SubmissionJson[]>(`/api/submissions${all ? '?all=1' : ''}`),
  submission: (id: number) => request<SubmissionJson>(`/api/submissions/${id}`),
  updateSubmission: (id: number, patch: Record<string, unknown>) =>
    request<SubmissionJson>(`/api/submissions/${id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(patch),
    }),
  cancel: (id: number) => post<{ id: number; status: string }>(`/api/submissions/${id}/cancel`, {}),
  rerun: (id: number) => post<{ id: number; status: string }>(`/api/submissions/${id}/rerun`, {}),
  /** The submission's HTML report as a blob URL (the request needs the token, so no plain link). */
  reportUrl: async (id: number): Promise<string | undefined> => {
    const res = await fetch(`/api/submissions/${id}/report`, { headers: getToken() ? { authorization: `Bearer ${getToken()}` } : {} });
    return res.ok ? URL.createObjectURL(await res.blob()) : undefined;
  },
  leaderboard: (params: { phase: string; task: string; order_by?: string; page?: number }) => request<LeaderboardJson>(`/api/leaderboard?${query(params)}`),
  /**
   * Multipart upload; phase and task also go in the query so that the server
   * refuses (phase closed, limit reached) or reserves the place before the file is sent.
   */
  submit: (fields: { phase: string; task: string; name: string; description: string; paper_url: string; code_url: string; public: boolean }, file: File) => {
    const form = new FormData();
    for (const [key, value] of Object.entries(fields)) form.set(key, String(value));
    form.set('file', file, file.name);
    return request<{ id: number; status: string }>(`/api/submissions?${query({ phase: fields.phase, task: fields.task })}`, { method: 'POST', body: form });
  },
};

/** Where the leaderboard's downloads are: every row and every figure. */
export const leaderboardDownload = (kind: 'csv' | 'json', phase: string, task: string, orderBy?: string): string =>
  `/api/leaderboard.${kind}?${query({ phase, task, order_by: orderBy })}`;

export const imageUrl = (split: string, id: number, width?: number): string =>
  `/api/images/${encodeURIComponent(split)}/${id}/image${width ? `?w=${width}` : ''}`;
