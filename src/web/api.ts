/** The df2 serve API as typed calls; the API token lives in localStorage. */

export type {
  BadFileJson, EvaluationResult, ImageJson, IndexingJson, ItemJson, LeaderboardJson, PairJson, SplitJson, StatsJson,
  SubmissionJson, TaskJson, UserJson,
  CategoryJson as Category, FacetCountsJson as FacetCounts, ImagePageJson as ImagePage, MetaJson as Meta,
} from '../shared/api-types.js';
import type {
  BadFileJson, FacetCountsJson, ImageJson, ImagePageJson, LeaderboardJson, MetaJson, PairJson, SplitJson, StatsJson,
  SubmissionJson, TaskJson, UserJson,
} from '../shared/api-types.js';

export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

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

const query = (params: Record<string, string | number | undefined>): string => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  return q.toString();
};

export const api = {
  meta: () => request<MetaJson>('/api/meta'),
  splits: () => request<SplitJson[]>('/api/splits'),
  addSplit: (dir: string, name?: string) => request<SplitJson>('/api/splits', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ dir, name: name || undefined }),
  }),
  reindex: (split: string) => request<SplitJson>(`/api/splits/${encodeURIComponent(split)}/reindex`, { method: 'POST' }),
  badFiles: (split: string) => request<BadFileJson[]>(`/api/splits/${encodeURIComponent(split)}/bad-files`),
  images: (params: Record<string, string | number | undefined>) => request<ImagePageJson>(`/api/images?${query(params)}`),
  facets: (params: Record<string, string | number | undefined>) => request<FacetCountsJson>(`/api/facets?${query(params)}`),
  image: (split: string, id: number) => request<ImageJson>(`/api/images/${encodeURIComponent(split)}/${id}`),
  pair: (split: string, pairId: number) => request<PairJson>(`/api/pairs/${encodeURIComponent(split)}/${pairId}`),
  stats: (split: string) => request<StatsJson>(`/api/stats/${encodeURIComponent(split)}`),
  tasks: () => request<TaskJson[]>('/api/tasks'),
  me: () => request<UserJson>('/api/me'),
  users: () => request<UserJson[]>('/api/users'),
  addUser: (name: string, admin: boolean) => request<UserJson>('/api/users', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, admin }),
  }),
  submissions: () => request<SubmissionJson[]>('/api/submissions'),
  submission: (id: number) => request<SubmissionJson>(`/api/submissions/${id}`),
  /** The submission's HTML report as a blob URL (the request needs the token, so no plain link). */
  reportUrl: async (id: number): Promise<string | undefined> => {
    const res = await fetch(`/api/submissions/${id}/report`, { headers: { authorization: `Bearer ${getToken()}` } });
    return res.ok ? URL.createObjectURL(await res.blob()) : undefined;
  },
  leaderboard: (task: string) => request<LeaderboardJson>(`/api/leaderboard?${query({ task })}`),
  /** Multipart upload; the task also goes in the query so that the server can refuse early (quota). */
  submit: (task: string, name: string, file: File) => {
    const form = new FormData();
    form.set('task', task);
    form.set('name', name);
    form.set('file', file, file.name);
    return request<{ id: number; status: string }>(`/api/submissions?${query({ task })}`, { method: 'POST', body: form });
  },
};

export const imageUrl = (split: string, id: number, width?: number): string =>
  `/api/images/${encodeURIComponent(split)}/${id}/image${width ? `?w=${width}` : ''}`;
