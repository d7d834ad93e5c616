/**
 * API tokens: 32 random bytes shown once to their owner; only their SHA-256
 * is stored, so a copy of the database does not let anyone submit. A fast
 * hash is enough here because the token itself has 256 bits of entropy.
 */
import { createHash, randomBytes } from 'node:crypto';

export const newToken = (): string => `df2_${randomBytes(32).toString('base64url')}`;
/** Session ids (the browser's cookie) and invite codes: as random as tokens, told apart by their prefix. */
export const newSessionId = (): string => `s_${randomBytes(32).toString('base64url')}`;
export const newInviteCode = (): string => `inv_${randomBytes(18).toString('base64url')}`;
export const hashToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/** The token of an `Authorization: Bearer TOKEN` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = header ? /^Bearer\s+(\S{1,200})\s*$/i.exec(header) : null;
  return match?.[1];
}

/** User names: letters, digits, '.', '_', '-'; shown on the leaderboard. Unique without regard to case. */
export const USER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/;
/** Team names: as user names, with spaces inside. */
export const TEAM_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9 ._-]{0,38}[A-Za-z0-9._-])?$/;
