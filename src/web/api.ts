/** The df2 serve API as typed calls; the API token lives in localStorage. */

export interface Category { id: number; name: string; coco_name: string; landmarks: number; skeleton: [number, number][] }
export interface Meta {
  categories: Category[];
  attributes: Record<string, string[]>;
  tasks: string[];
  quota: number;
  max_upload_bytes: number;
}
export interface IndexingJson { state: 'queued' | 'scanning' | 'reading' | 'ready' | 'failed'; done: number; total: number; changed: number; error?: string }
export interface SplitJson { name: string; images: number; items: number; bad_files: number; indexed_at: string | null; indexing: IndexingJson }
export interface ItemJson {
  key: string; category_id: number; category_name: string; style: number;
  bounding_box: [number, number, number, number]; landmarks: number[]; segmentation: number[][];
  scale: number; occlusion: number; zoom_in: number; viewpoint: number;
}
export interface ImageJson {
  id: number; name: string; source: 'user' | 'shop'; pair_id: number; width: number; height: number;
  has_image: boolean; items: ItemJson[]; error?: string;
}
export interface ImagePage { split: string; total: number; page: number; per_page: number; images: ImageJson[] }
export type FacetCounts = Record<string, Record<string, number>>;
export interface PairJson {
  split: string; pair_id: number; images: ImageJson[];
  links: { style: number; user: { image: number; item: string }; shop: { image: number; item: string } }[];
}
export interface StatsJson {
  split: string;
  images: { user: number; shop: number };
  items: { user: number; shop: number };
  categories: Record<string, { user: number; shop: number }>;
  attributes: Record<string, Record<string, number>>;
  style: { zero: number; positive: number };
  itemsPerImage: Record<string, number>;
  pairIds: number;
  positivePairs: number;
  landmarks: { visible: number; occluded: number };
}
export interface TaskJson { task: string; title: string; available: boolean; stat_names: string[]; primary: string }
export interface EvaluationResult {
  task: string; stats: number[]; statNames: string[];
  perCategoryAp?: { categoryId: number; ap: number }[];
  queries?: number; missed?: number;
  subsets?: Record<string, Record<string, number[]>>; subsetStatNames?: string[];
  seconds: number;
}
export interface SubmissionJson {
  id: number; user: string; task: string; name: string; file_name: string; file_bytes: number;
  status: 'queued' | 'running' | 'done' | 'failed'; attempts: number; error: string | null;
  stats: number[] | null; stat_names: string[]; result: EvaluationResult | null;
  created_at: string; started_at: string | null; finished_at: string | null;
}
export interface LeaderboardJson {
  task: string; title: string; primary: string; stat_names: string[];
  entries: {
    rank: number; submission_id: number; name: string; user: string; finished_at: string; stats: number[];
    per_category_ap: { categoryId: number; ap: number }[] | null;
    subsets: Record<string, Record<string, number[]>> | null; subset_stat_names: string[] | null;
    queries: number | null; missed: number | null; mine: boolean;
  }[];
}
export interface UserJson { id: number; name: string; admin: boolean; created_at: string; token?: string }

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

async function request<T>(path: string, init: RequestInit = {}): Promise<T> {
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
  meta: () => request<Meta>('/api/meta'),
  splits: () => request<SplitJson[]>('/api/splits'),
  addSplit: (dir: string, name?: string) => request<SplitJson>('/api/splits', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ dir, name: name || undefined }),
  }),
  reindex: (split: string) => request<SplitJson>(`/api/splits/${encodeURIComponent(split)}/reindex`, { method: 'POST' }),
  badFiles: (split: string) => request<{ file: string; message: string }[]>(`/api/splits/${encodeURIComponent(split)}/bad-files`),
  images: (params: Record<string, string | number | undefined>) => request<ImagePage>(`/api/images?${query(params)}`),
  facets: (params: Record<string, string | number | undefined>) => request<FacetCounts>(`/api/facets?${query(params)}`),
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
