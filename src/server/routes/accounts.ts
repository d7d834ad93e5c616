/**
 * Accounts: sign-up (open, or with an invite code), sign-in and sign-out in
 * the browser (a session cookie), and the admin's side: users with teams,
 * revoking, new tokens, invite codes. API tokens stay for scripts.
 */
import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { AppContext } from '../context.js';
import { StoreConflict, type User } from '../challenge/types.js';
import { hashToken, newInviteCode, newSessionId, newToken, TEAM_NAME, USER_NAME } from '../challenge/tokens.js';
import { DUMMY_HASH, hashPassword, PASSWORD_MAX, PASSWORD_MIN, verifyPassword } from '../challenge/passwords.js';
import { z } from 'zod';
import { fail, jsonBody, refuseOtherSites, requireAdmin, requireUser, SESSION_COOKIE } from '../http.js';
import type { UserJson } from '../../shared/api-types.js';
import { getConnInfo } from '@hono/node-server/conninfo';
import { LoginThrottle } from '../challenge/login-throttle.js';

const SESSION_DAYS = 30;

const userJson = (u: User): UserJson => ({
  id: u.id,
  name: u.name,
  team: u.team,
  admin: u.admin,
  revoked: u.revokedAt !== null,
  created_at: u.createdAt,
});

const NAME_RULE = 'name: expected 1-40 letters, digits, ".", "_" or "-", starting with a letter or digit';
const TEAM_RULE = 'team: expected 1-40 letters, digits, spaces, ".", "_" or "-"';

/** Behind https (directly, or a proxy that says so), the cookie is sent over https only. */
const PASSWORD_RULE = `password: expected ${PASSWORD_MIN}-${PASSWORD_MAX} characters`;
const INVITE_RULE = 'invite: expected the invite code an organizer gave you';
const userName = z.string(NAME_RULE).regex(USER_NAME, NAME_RULE);

/** POST /signup: the invite is checked only where registration is by invitation. */
const signupBodies = {
  open: z.object({
    name: userName,
    password: z.string(PASSWORD_RULE).min(PASSWORD_MIN, PASSWORD_RULE).max(PASSWORD_MAX, PASSWORD_RULE),
    invite: z.unknown().optional(),
  }),
  invite: z.object({
    name: userName,
    password: z.string(PASSWORD_RULE).min(PASSWORD_MIN, PASSWORD_RULE).max(PASSWORD_MAX, PASSWORD_RULE),
    invite: z.string(INVITE_RULE).min(1, INVITE_RULE).max(100, INVITE_RULE),
  }),
};
/** POST /login: any problem is the one line (a sign-in form says no more). */
const LOGIN_BODY = z.object({ name: z.string().max(100), password: z.string().max(PASSWORD_MAX) });
/** POST /users (admins): a missing, null or empty team is none; admin only when exactly true. */
const NEW_USER_BODY = z.object({
  name: userName,
  team: z
    .union([z.null(), z.literal(''), z.string().regex(TEAM_NAME, TEAM_RULE)], TEAM_RULE)
    .optional()
    .transform((team) => team || null),
  admin: z
    .unknown()
    .optional()
    .transform((admin) => admin === true),
});

const isHttps = (c: Context): boolean => new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https';

export function accountRoutes(ctx: AppContext): Hono {
  const app = new Hono();
  const { registration } = ctx.settings.challenge;
  const signupBody = registration === 'invite' ? signupBodies.invite : signupBodies.open;
  const throttle = new LoginThrottle(ctx.settings.now);

  const startSession = async (c: Context, user: User): Promise<void> => {
    const id = newSessionId();
    const expires = new Date(ctx.settings.now().getTime() + SESSION_DAYS * 86400_000);
    await ctx.store.createSession(hashToken(id), user.id, expires.toISOString());
    setCookie(c, SESSION_COOKIE, id, { httpOnly: true, sameSite: 'Strict', secure: isHttps(c), path: '/', expires });
  };
  const userNamed = async (name: string): Promise<User> => {
    const user = USER_NAME.test(name) ? await ctx.store.userByName(name) : undefined;
    return user ?? fail(404, `no user named ${JSON.stringify(name.slice(0, 40))}`);
  };

  app.get('/me', async (c) => c.json(userJson(await requireUser(ctx, c))));

  app.post('/signup', async (c) => {
    if (registration === 'closed') return fail(403, 'registration is closed: accounts are made by the organizers');
    // Signing up signs in: another site's page must not sign a visitor into an account of its choosing.
    refuseOtherSites(c);
    const { name, password, invite } = await jsonBody(c, signupBody);
    try {
      const user = await ctx.store.addUser({
        name,
        admin: false,
        tokenHash: hashToken(newToken()),
        passwordHash: await hashPassword(password),
        inviteHash: registration === 'invite' && typeof invite === 'string' ? hashToken(invite) : undefined,
      });
      await startSession(c, user);
      return c.json(userJson(user), 201);
    } catch (err) {
      if (err instanceof StoreConflict)
        return fail(err.what === 'name' ? 409 : 403, err.what === 'name' ? `name: ${name} is taken` : 'invite: expected an unused invite code');
      throw err;
    }
  });

  app.post('/login', async (c) => {
    refuseOtherSites(c);
    const { name, password } = await jsonBody(c, LOGIN_BODY, '{"name", "password"}', 'expected {"name", "password"}');
    // Counted before any hash is computed: a throttled try costs nothing.
    const address = remoteAddress(c);
    const wait = throttle.retryAfter(name, address);
    if (wait > 0) return fail(429, `too many failed sign-ins; try again in ${wait} s`, { 'retry-after': String(wait) });
    const user = USER_NAME.test(name) ? await ctx.store.userByName(name) : undefined;
    const stored = user && user.revokedAt === null ? await ctx.store.passwordHash(user.id) : null;
    // As slow for an unknown name as for a wrong password.
    const ok = await verifyPassword(password, stored ?? DUMMY_HASH);
    if (!user || !stored || !ok || user.revokedAt !== null) {
      throttle.failed(name, address);
      return fail(401, 'wrong name or password');
    }
    throttle.succeeded(name);
    await startSession(c, user);
    return c.json(userJson(user));
  });

  app.post('/logout', async (c) => {
    const session = getCookie(c, SESSION_COOKIE);
    if (session && session.length <= 200) await ctx.store.deleteSession(hashToken(session));
    deleteCookie(c, SESSION_COOKIE, { path: '/', secure: isHttps(c) });
    return c.json({ ok: true });
  });

  /** A new API token for oneself (shown once; the old one stops working). */
  app.post('/me/token', async (c) => {
    const user = await requireUser(ctx, c);
    const token = newToken();
    await ctx.store.setToken(user.id, hashToken(token));
    // The new token ends the sessions too; the browser that asked signs in again at once.
    if (bearerless(c)) await startSession(c, user);
    return c.json<UserJson>({ ...userJson(user), token });
  });

  app.post('/invites', async (c) => {
    const admin = await requireAdmin(ctx, c);
    const code = newInviteCode();
    await ctx.store.createInvite(hashToken(code), admin.id, ctx.settings.now().toISOString());
    return c.json({ code }, 201);
  });

  app.get('/users', async (c) => {
    await requireAdmin(ctx, c);
    return c.json((await ctx.store.listUsers()).map(userJson));
  });

  app.post('/users', async (c) => {
    await requireAdmin(ctx, c);
    const body = await jsonBody(c, NEW_USER_BODY);
    const token = newToken();
    try {
      const user = await ctx.store.addUser({ name: body.name, admin: body.admin, team: body.team, tokenHash: hashToken(token) });
      return c.json<UserJson>({ ...userJson(user), token }, 201);
    } catch (err) {
      if (err instanceof StoreConflict) return fail(409, `a user named ${body.name} exists already`);
      throw err;
    }
  });

  app.post('/users/:name/revoke', async (c) => {
    const admin = await requireAdmin(ctx, c);
    const user = await userNamed(c.req.param('name'));
    if (user.id === admin.id) return fail(409, 'an admin cannot revoke their own account');
    await ctx.store.revokeUser(user.id, ctx.settings.now().toISOString());
    return c.json(userJson({ ...user, revokedAt: ctx.settings.now().toISOString() }));
  });

  app.post('/users/:name/rotate', async (c) => {
    await requireAdmin(ctx, c);
    const user = await userNamed(c.req.param('name'));
    const token = newToken();
    await ctx.store.setToken(user.id, hashToken(token));
    return c.json<UserJson>({ ...userJson({ ...user, revokedAt: null }), token });
  });

  return app;
}

/** The client's address (the proxy's, behind one); requests made in-process (tests' app.request) have none. */
function remoteAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

const bearerless = (c: Context): boolean => c.req.header('authorization') === undefined;
