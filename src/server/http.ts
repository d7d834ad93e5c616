/** Small helpers shared by the routes: checked path parameters, errors as JSON, the current user. */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { AppContext } from './context.js';
import type { User } from './challenge/types.js';
import { getCookie } from 'hono/cookie';
import { bearerToken, hashToken } from './challenge/tokens.js';
import type { SplitInfo } from './explorer/types.js';
import type { z } from 'zod';
import { ignoreRejection } from '../util/ignore-rejection.js';

/**
 * Ends the request with `status` and `{ "error": message }`. A function
 * declaration typed `never`, so that TypeScript narrows after a call to it.
 *
 * @example
 * if (!user) fail(401, 'sign in');
 * return user.name; // user is a User here
 */
export function fail(status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 503, message: string, headers?: Record<string, string>): never {
  throw new HTTPException(status, { res: Response.json({ error: message }, { status, headers }) });
}

/** Split names are registered server-side; a request names one, never a path. */
export const SPLIT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export async function splitParam(ctx: AppContext, raw: string | undefined): Promise<SplitInfo> {
  if (!raw || !SPLIT_NAME.test(raw) || raw.includes('..')) fail(400, 'split: expected the name of a registered split');
  const split = await ctx.index.split(raw);
  if (!split) fail(404, `no split named ${JSON.stringify(raw)}`);
  return split;
}

/** A non-negative integer path or query parameter of at most `digits` digits. */
export function intParam(name: string, raw: string | undefined, digits = 9): number {
  if (!raw || !new RegExp(`^\\d{1,${digits}}$`).test(raw)) fail(400, `${name}: expected an integer`);
  return Number(raw);
}

const originHost = (origin: string): string | undefined => {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
};

/** The browser's session cookie (HttpOnly, SameSite=Strict; Secure behind https). */
export const SESSION_COOKIE = 'df2_session';

/**
 * The user of the request: an API token (scripts) or the session cookie (the
 * app). A request that changes something with the cookie must come from this
 * server's own pages (Origin, when the browser sends it, is this host).
 */
export async function currentUser(ctx: AppContext, c: Context): Promise<User | undefined> {
  const token = bearerToken(c.req.header('authorization'));
  if (token) return ctx.store.userByTokenHash(hashToken(token));
  const session = getCookie(c, SESSION_COOKIE);
  if (!session || session.length > 200) return undefined;
  if (!['GET', 'HEAD'].includes(c.req.method)) refuseOtherSites(c);
  return ctx.store.userBySession(hashToken(session), ctx.settings.now().toISOString());
}

/** Largest JSON request body (bytes): names, a password, a description; never a file. */
export const JSON_BODY_MAX_BYTES = 64 * 1024;

/**
 * The request's body as a JSON object. Read only up to JSON_BODY_MAX_BYTES:
 * a larger one is refused (413) when its Content-Length says so, or as soon
 * as that many bytes have come, without keeping them. Only
 * `application/json` is read (415 otherwise): a form or text/plain body is
 * what a page of another site can send without the browser asking first.
 *
 * @example
 * const { name, password } = await jsonObject(c);
 */
export async function jsonObject(c: Context, what = 'a JSON object'): Promise<Record<string, unknown>> {
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json')
    fail(415, `expected ${what} (Content-Type: application/json), found ${type ? JSON.stringify(type.slice(0, 100)) : 'no Content-Type'}`);
  const tooLarge = (): never => fail(413, `expected ${what} of at most ${JSON_BODY_MAX_BYTES / 1024} KB`);
  const declared = c.req.header('content-length');
  if (declared !== undefined && Number(declared) > JSON_BODY_MAX_BYTES) tooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader: ReadableStreamDefaultReader<Uint8Array> | undefined = c.req.raw.body?.getReader();
  if (reader) {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > JSON_BODY_MAX_BYTES) {
        await ignoreRejection(reader.cancel(), 'the body is refused as too large either way');
        tooLarge();
      }
      chunks.push(value);
    }
  }
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks)));
  } catch {
    return fail(400, `expected ${what}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return fail(400, `expected ${what}`);
  return body as Record<string, unknown>;
}

/**
 * The request's JSON body checked against `schema` (zod): the parsed value,
 * or 400 with the message of the first problem (each schema names the field
 * and what was expected in its messages), or with `message` when given.
 *
 * @example
 * const LOGIN = z.object({ name: z.string().max(100), password: z.string() });
 * const { name, password } = await jsonBody(c, LOGIN, '{"name", "password"}', 'expected {"name", "password"}');
 */
export async function jsonBody<T extends z.ZodType>(c: Context, schema: T, what?: string, message?: string): Promise<z.output<T>> {
  const parsed = schema.safeParse(await jsonObject(c, what));
  if (!parsed.success) fail(400, message ?? parsed.error.issues[0]?.message ?? `expected ${what ?? 'a JSON object'}`);
  return parsed.data;
}

/**
 * `value` (a JSON body, a form's fields) checked against `schema` (zod): the parsed value, or 400 with the message of
 * the first problem (`fallback` when a problem has none).
 *
 * @example
 * const meta = checked(UPLOAD_FIELDS, upload.fields, 'expected the form fields of a submission');
 */
export function checked<T extends z.ZodType>(schema: T, value: unknown, fallback: string): z.output<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) fail(400, parsed.error.issues[0]?.message ?? fallback);
  return parsed.data;
}

/** A browser's request from a page of another site (its Origin names another host): refused (403) where a cookie would be set or used. */
export function refuseOtherSites(c: Context): void {
  const origin = c.req.header('origin');
  if (origin !== undefined && originHost(origin) !== (c.req.header('host') ?? new URL(c.req.url).host)) fail(403, 'a request from another site');
}

export async function requireUser(ctx: AppContext, c: Context): Promise<User> {
  const user = await currentUser(ctx, c);
  if (!user) fail(401, 'sign in, or send a valid API token (Authorization: Bearer TOKEN)');
  return user;
}

export async function requireAdmin(ctx: AppContext, c: Context): Promise<User> {
  const user = await requireUser(ctx, c);
  if (!user.admin) fail(403, 'this needs an admin account');
  return user;
}
