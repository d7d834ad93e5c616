/**
 * Loaded layers, kept in memory: a layer is evaluated once per (layer,
 * split, index state) and the last few are kept (a validation-sized layer
 * holds its detections and match records, some tens of MB).
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { CocoTask } from '../../eval/index.js';
import type { SplitInfo } from '../explorer/types.js';
import { loadCocoLayer, type CocoLayerData } from './coco-layer.js';
import { loadRetrievalLayer, type RetrievalLayerData } from './retrieval-layer.js';
import type { LayerSource } from './sources.js';
import { splitTruth } from './split-truth.js';

export type LayerData = CocoLayerData | RetrievalLayerData;

const DEFAULT_LAYERS_KEPT = 3;

export class LayerCache {
  private readonly loaded = new Map<string, Promise<LayerData>>();

  /** Layers keep the splits converted to ground truth in `layersDir`, and that ground truth's snapshots in its `snapshots` folder. */
  constructor(
    private readonly layersDir: string,
    private readonly keep = DEFAULT_LAYERS_KEPT,
  ) {}

  async get(layer: LayerSource, split: SplitInfo): Promise<LayerData> {
    // A results file given on the command line may be rewritten while the server runs.
    const mtime = layer.source === 'file' ? (await stat(layer.file)).mtimeMs : 0;
    const key = `${layer.id}:${layer.task}:${mtime}@${split.id}:${split.indexedAt ?? ''}`;
    let promise = this.loaded.get(key);
    if (promise) {
      // Most recently used last.
      this.loaded.delete(key);
      this.loaded.set(key, promise);
      return promise;
    }
    promise = this.load(layer, split);
    this.loaded.set(key, promise);
    promise.catch(() => this.loaded.delete(key));
    while (this.loaded.size > this.keep) this.loaded.delete(this.loaded.keys().next().value!);
    return promise;
  }

  private async load(layer: LayerSource, split: SplitInfo): Promise<LayerData> {
    if (layer.task === 'retrieval') return loadRetrievalLayer(layer.file, await splitTruth(this.layersDir, split, 'retrieval'));
    const task: CocoTask = layer.task === 'keypoints_visible' ? 'keypoints' : layer.task;
    const truth = await splitTruth(this.layersDir, split, layer.task === 'keypoints_visible' ? 'coco-visible' : 'coco');
    return loadCocoLayer(task, layer.file, truth, { snapshotDir: join(this.layersDir, 'snapshots') });
  }
}
