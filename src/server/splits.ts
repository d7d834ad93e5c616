/** Registering a split directory under a server-side name and queueing its indexing. */
import { basename, resolve } from 'node:path';
import type { AppContext } from './context.js';
import type { SplitInfo } from './explorer/types.js';
import { ignoreRejection } from '../util/ignore-rejection.js';

/** A URL-safe name from the directory's base name ("validation"), made unique with -2, -3, ... */
async function nameForDir(ctx: Pick<AppContext, 'index'>, dir: string): Promise<string> {
  const base =
    basename(resolve(dir))
      .replace(/[^A-Za-z0-9_.-]+/g, '-')
      .replace(/^[^A-Za-z0-9]+/, '')
      .slice(0, 50) || 'split';
  const existing = await ctx.index.splits();
  const taken = new Map(existing.map((s) => [s.name, s.dir]));
  for (let k = 1; ; k++) {
    const name = k === 1 ? base : `${base}-${k}`;
    const owner = taken.get(name);
    if (owner === undefined || owner === resolve(dir)) return name;
  }
}

export async function registerSplitDir(ctx: Pick<AppContext, 'index' | 'indexer'>, dir: string, name?: string): Promise<SplitInfo> {
  const split = await ctx.index.registerSplit(name ?? (await nameForDir(ctx, dir)), resolve(dir));
  void ignoreRejection(ctx.indexer.enqueue(split), "a failed run is shown in the split's indexing status");
  return split;
}
