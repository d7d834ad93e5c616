/**
 * Accounts through app.request(): sign-up in each registration mode, sign-in
 * and sign-out with the session cookie (its flags), case-insensitive names,
 * invites used once, revoke and rotate (API), and cookie requests from
 * another site refused.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Hono } from 'hono';
import { createApp } from '../app.js';
import type { RunningServer } from '../server.js';
import { singlePhaseChallenge, type Registration } from '../challenge/config.js';
import { addUser, goldenGtDir, requester, startTestServer } from '../test-support.js';
import type { UserJson } from '../../shared/api-types.js';
import { TEST_BACKENDS, type TestBackend } from '../test-backends.js';

interface Env {
  server: RunningServer;
  app: Hono;
  call: ReturnType<typeof requester>;
  close(): Promise<void>;
}

async function serverWith(backend: TestBackend, registration: Registration): Promise<Env> {
  const gt = await goldenGtDir();
  const database = await backend.create();
  const server = await startTestServer({ db: database.db, gtDir: gt, challenge: { ...singlePhaseChallenge(gt, 5), registration }, workers: 0, dataDirs: [] });
  const app = createApp(server.ctx);
  return {
    server,
    app,
    call: requester(app),
    async close() {
      await server.close();
      await database.drop();
    },
  };
}

/** The session cookie's value and its attributes, from a Set-Cookie header. */
function sessionCookie(res: Response): { value: string; attributes: string[] } {
  const header = res.headers.get('set-cookie') ?? '';
  const [pair = '', ...attributes] = header.split(/;\s*/);
  assert.match(pair, /^df2_session=/);
  return { value: pair.slice('df2_session='.length), attributes };
}
const withCookie = (value: string) => ({ cookie: `df2_session=${value}` });

for (const backend of TEST_BACKENDS) {
  describe(`accounts: registration open (${backend.name})`, { skip: backend.skip }, () => {
    let env: Awaited<ReturnType<typeof serverWith>>;
    before(async () => {
      env = await serverWith(backend, 'open');
    });
    after(async () => env.close());

    test('sign-up makes an account and a session cookie (HttpOnly, SameSite=Strict; Secure behind https)', async () => {
      const res = await env.call('POST', '/api/signup', { json: { name: 'Alice', password: 'correct horse' } });
      assert.equal(res.status, 201);
      const user = (await res.json()) as UserJson;
      assert.deepEqual([user.name, user.admin, user.team], ['Alice', false, null]);
      const cookie = sessionCookie(res);
      assert.ok(cookie.attributes.includes('HttpOnly'));
      assert.ok(cookie.attributes.includes('SameSite=Strict'));
      assert.ok(cookie.attributes.includes('Path=/'));
      assert.ok(!cookie.attributes.includes('Secure'), 'plain http: a Secure cookie would never come back');
      const me = await env.call('GET', '/api/me', { headers: withCookie(cookie.value) });
      assert.equal(((await me.json()) as UserJson).name, 'Alice');
      // Passwords are kept as scrypt hashes only.
      const stored = await env.server.ctx.store.passwordHash(user.id);
      assert.match(stored ?? '', /^scrypt\$16384\$8\$1\$/);
      assert.ok(!stored!.includes('correct horse'));

      const behindHttps = await env.call('POST', '/api/signup', { json: { name: 'bob', password: 'another one' }, headers: { 'x-forwarded-proto': 'https' } });
      assert.ok(sessionCookie(behindHttps).attributes.includes('Secure'));
    });

    test('names are unique without regard to case; bad names and short passwords are refused', async () => {
      const taken = await env.call('POST', '/api/signup', { json: { name: 'ALICE', password: 'whatever1' } });
      assert.equal(taken.status, 409);
      assert.equal(((await taken.json()) as { error: string }).error, 'name: ALICE is taken');
      assert.equal((await env.call('POST', '/api/signup', { json: { name: '../admin', password: 'whatever1' } })).status, 400);
      const short = await env.call('POST', '/api/signup', { json: { name: 'carl', password: 'short' } });
      assert.equal(((await short.json()) as { error: string }).error, 'password: expected 8-200 characters');
    });

    test('sign-in (any case of the name), wrong password 401, sign-out ends the session', async () => {
      assert.equal((await env.call('POST', '/api/login', { json: { name: 'alice', password: 'wrong password' } })).status, 401);
      assert.equal((await env.call('POST', '/api/login', { json: { name: 'nobody', password: 'correct horse' } })).status, 401);
      const res = await env.call('POST', '/api/login', { json: { name: 'alice', password: 'correct horse' } });
      assert.equal(res.status, 200);
      const { value } = sessionCookie(res);
      assert.equal((await env.call('GET', '/api/me', { headers: withCookie(value) })).status, 200);
      const out = await env.call('POST', '/api/logout', { headers: withCookie(value) });
      assert.match(out.headers.get('set-cookie') ?? '', /df2_session=;.*Max-Age=0/);
      assert.equal((await env.call('GET', '/api/me', { headers: withCookie(value) })).status, 401);
    });

    test('a request with the cookie from another site is refused', async () => {
      const { value } = sessionCookie(await env.call('POST', '/api/login', { json: { name: 'alice', password: 'correct horse' } }));
      const res = await env.app.request('http://127.0.0.1/api/me/token', {
        method: 'POST',
        headers: { ...withCookie(value), origin: 'https://evil.example', host: '127.0.0.1' },
      });
      assert.equal(res.status, 403);
      const same = await env.app.request('http://127.0.0.1/api/me/token', {
        method: 'POST',
        headers: { ...withCookie(value), origin: 'http://127.0.0.1', host: '127.0.0.1' },
      });
      assert.equal(same.status, 200);
      assert.match(((await same.json()) as UserJson).token ?? '', /^df2_/);
    });

    test('admins revoke and rotate: the old token dies at once, revoked accounts cannot sign in', async () => {
      const admin = await addUser(env.server, 'root', true);
      const dana = await addUser(env.server, 'dana');
      const rotated = await env.call('POST', '/api/users/DANA/rotate', { token: admin });
      assert.equal(rotated.status, 200);
      const fresh = ((await rotated.json()) as UserJson).token!;
      assert.equal((await env.call('GET', '/api/me', { token: dana })).status, 401);
      assert.equal((await env.call('GET', '/api/me', { token: fresh })).status, 200);
      assert.equal((await env.call('POST', '/api/users/dana/rotate', { token: fresh })).status, 403, 'admins only');

      const { value } = sessionCookie(await env.call('POST', '/api/login', { json: { name: 'alice', password: 'correct horse' } }));
      const revoked = await env.call('POST', '/api/users/alice/revoke', { token: admin });
      assert.equal(((await revoked.json()) as UserJson).revoked, true);
      assert.equal((await env.call('GET', '/api/me', { headers: withCookie(value) })).status, 401, 'the session died');
      assert.equal((await env.call('POST', '/api/login', { json: { name: 'alice', password: 'correct horse' } })).status, 401);
      assert.equal((await env.call('POST', '/api/users/nobody/revoke', { token: admin })).status, 404);
      const listed = (await (await env.call('GET', '/api/users', { token: admin })).json()) as UserJson[];
      assert.deepEqual(
        listed.filter((u) => u.revoked).map((u) => u.name),
        ['Alice'],
      );
    });

    test('admins add users with a team', async () => {
      const admin = await addUser(env.server, 'root2', true);
      const res = await env.call('POST', '/api/users', { token: admin, json: { name: 'erin', team: 'Lab A' } });
      assert.equal(res.status, 201);
      const erin = (await res.json()) as UserJson;
      assert.deepEqual([erin.team, erin.admin], ['Lab A', false]);
      assert.equal((await env.call('POST', '/api/users', { token: admin, json: { name: 'Erin' } })).status, 409);
      assert.equal((await env.call('POST', '/api/users', { token: admin, json: { name: 'fay', team: '<script>' } })).status, 400);
    });
  });

  describe(`accounts: registration by invite (${backend.name})`, { skip: backend.skip }, () => {
    let env: Awaited<ReturnType<typeof serverWith>>;
    before(async () => {
      env = await serverWith(backend, 'invite');
    });
    after(async () => env.close());

    test('sign-up needs a one-time code an admin creates', async () => {
      const noCode = await env.call('POST', '/api/signup', { json: { name: 'gus', password: 'long enough' } });
      assert.equal(noCode.status, 400);
      assert.equal(((await noCode.json()) as { error: string }).error, 'invite: expected the invite code an organizer gave you');
      assert.equal((await env.call('POST', '/api/signup', { json: { name: 'gus', password: 'long enough', invite: 'inv_made-up' } })).status, 403);
      const user = await addUser(env.server, 'plain');
      assert.equal((await env.call('POST', '/api/invites', { token: user })).status, 403);
      const admin = await addUser(env.server, 'root', true);
      const { code } = (await (await env.call('POST', '/api/invites', { token: admin })).json()) as { code: string };
      assert.match(code, /^inv_/);
      const ok = await env.call('POST', '/api/signup', { json: { name: 'gus', password: 'long enough', invite: code } });
      assert.equal(ok.status, 201);
      const again = await env.call('POST', '/api/signup', { json: { name: 'hal', password: 'long enough', invite: code } });
      assert.equal(again.status, 403);
      assert.equal(await env.server.ctx.store.userByName('hal'), undefined);
    });
  });

  describe(`accounts: registration closed (${backend.name})`, { skip: backend.skip }, () => {
    let env: Awaited<ReturnType<typeof serverWith>>;
    before(async () => {
      env = await serverWith(backend, 'closed');
    });
    after(async () => env.close());

    test('sign-up is refused; accounts come from admins; tokens still work', async () => {
      const res = await env.call('POST', '/api/signup', { json: { name: 'ivy', password: 'long enough' } });
      assert.equal(res.status, 403);
      assert.match(((await res.json()) as { error: string }).error, /^registration is closed/);
      const token = await addUser(env.server, 'ivy');
      assert.equal((await env.call('GET', '/api/me', { token })).status, 200);
    });
  });
}
