/** The layer endpoints of df2 serve as typed calls (the JSON shapes are src/shared/layer-types.ts). */
import { request } from './api.js';
import type { LayerImageJson, LayerImagePageJson, LayerJson, LayerSummaryJson, RetrievalExplainedJson } from '../shared/layer-types.js';

export type {
  LayerImageJson,
  LayerImagePageJson,
  LayerJson,
  LayerSummaryJson,
  PredictionJson,
  RetrievalExplainedJson,
  TallyJson,
} from '../shared/layer-types.js';

const enc = encodeURIComponent;
const query = (params: Record<string, string | number | undefined>): string =>
  new URLSearchParams(
    Object.entries(params)
      .filter(([, v]) => v !== undefined && v !== '')
      .map(([k, v]) => [k, String(v)]),
  ).toString();

export const layerApi = {
  list: () => request<LayerJson[]>('/api/layers'),
  summary: (layer: string, split: string) => request<LayerSummaryJson>(`/api/layers/${enc(layer)}/summary?${query({ split })}`),
  images: (layer: string, params: Record<string, string | number | undefined>) =>
    request<LayerImagePageJson>(`/api/layers/${enc(layer)}/images?${query(params)}`),
  image: (layer: string, split: string, id: number) => request<LayerImageJson>(`/api/layers/${enc(layer)}/images/${enc(split)}/${id}`),
  query: (layer: string, split: string, q: number) => request<RetrievalExplainedJson>(`/api/layers/${enc(layer)}/queries/${enc(split)}/${q}`),
};
