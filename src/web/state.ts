/** What the pages share: the server's meta data (loaded once), the overlay toggles (kept in localStorage). */
import { api, type Meta } from './api.js';
import { DEFAULT_OVERLAY, type OverlayOptions } from './overlay.js';

let metaPromise: Promise<Meta> | undefined;
export const meta = (): Promise<Meta> => (metaPromise ??= api.meta());

const OVERLAY_KEY = 'df2.overlay';
export function overlayOptions(): OverlayOptions {
  try {
    return { ...DEFAULT_OVERLAY, ...(JSON.parse(localStorage.getItem(OVERLAY_KEY) ?? '{}') as Partial<OverlayOptions>) };
  } catch {
    return { ...DEFAULT_OVERLAY };
  }
}
export const saveOverlayOptions = (o: OverlayOptions): void => localStorage.setItem(OVERLAY_KEY, JSON.stringify(o));

/** The split last looked at, so the nav's Explore and Stats links keep it. */
const SPLIT_KEY = 'df2.split';
export const lastSplit = (): string => localStorage.getItem(SPLIT_KEY) ?? '';
export const rememberSplit = (name: string): void => localStorage.setItem(SPLIT_KEY, name);
