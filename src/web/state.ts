/** What the pages share: the server's meta data (loaded once), the overlay toggles (kept in localStorage). */
import { api, type ChallengeJson, type Meta, type UserJson } from './api.js';
import { DEFAULT_OVERLAY, type OverlayOptions } from './overlay.js';

let metaPromise: Promise<Meta> | undefined;
export const meta = (): Promise<Meta> => (metaPromise ??= api.meta());

let challengePromise: Promise<ChallengeJson> | undefined;
/** The challenge and its phases (their state is as of the page's load). */
export const challengeInfo = (): Promise<ChallengeJson> => (challengePromise ??= api.challenge());

let mePromise: Promise<UserJson | undefined> | undefined;
/** The signed-in user (session cookie or saved token), or undefined; `forgetMe` after signing in or out. */
export const whoAmI = (): Promise<UserJson | undefined> => (mePromise ??= api.me().catch(() => undefined));
export const forgetMe = (): void => {
  mePromise = undefined;
};

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
