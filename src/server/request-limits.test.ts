/**
 * What a request may make the server do before anyone signs in: JSON bodies
 * are read up to a small limit and refused past it without waiting for (or
 * keeping) the rest; sign-in and sign-up take JSON only, from this site's
 * pages only (CSRF).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { RunningServer } from './server.js';
import { singlePhaseChallenge } from './challenge/config.js';
import { addUser, goldenGtDir, startTestServer } from './test-support.js';
import { JSON_BODY_MAX_BYTES } from './http.js';

/** Sends headers and `sent` bytes of body, never ends the request, and resolves with the status the server answers. */
function partialRequest(url: string, path: string, headers: Record<string, string>, sent: number, method = 'POST'): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method, headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => {
      req.destroy();
      reject(new Error(`no answer within 10 s to ${path} after ${sent} bytes (the server waits for the rest of the body)`));
    });
    req.write(Buffer.alloc(sent, 0x20));
  });
}

describe('request limits before sign-in', () => {
  let server: RunningServer;
  let adminToken: string;
  before(async () => {
    const gt = await goldenGtDir();
    server = await startTestServer({ gtDir: gt, challenge: { ...singlePhaseChallenge(gt, 5), registration: 'open' }, workers: 0, dataDirs: [] });
    adminToken = await addUser(server, 'admin', true);
  });
  after(async () => server.close());

  const json = { 'content-type': 'application/json' };
  for (const path of ['/api/login', '/api/signup']) {
    test(`${path}: a Content-Length over the limit is refused (413) at once, before any byte of the body`, async () => {
      assert.equal(await partialRequest(server.url, path, { ...json, 'content-length': String(400 * 1024 * 1024) }, 0), 413);
    });
    test(`${path}: a chunked body is refused (413) as soon as it passes the limit, without waiting for its end`, async () => {
      assert.equal(await partialRequest(server.url, path, { ...json, 'transfer-encoding': 'chunked' }, JSON_BODY_MAX_BYTES + 1), 413);
    });
  }
  test('admin routes have the same limit (and PATCH /api/submissions/ID, through the same reader)', async () => {
    const auth = { ...json, authorization: `Bearer ${adminToken}` };
    assert.equal(await partialRequest(server.url, '/api/users', { ...auth, 'transfer-encoding': 'chunked' }, JSON_BODY_MAX_BYTES + 1), 413);
    assert.equal(await partialRequest(server.url, '/api/splits', { ...auth, 'content-length': String(JSON_BODY_MAX_BYTES + 1) }, 0), 413);
  });
  test('bodies are checked field by field: the first bad field named in one line (400)', async () => {
    const auth = { ...json, authorization: `Bearer ${adminToken}` };
    const post = async (path: string, body: unknown, headers: Record<string, string> = json): Promise<[number, string]> => {
      const res = await fetch(`${server.url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
      return [res.status, ((await res.json()) as { error?: string }).error ?? ''];
    };
    const name = 'name: expected 1-40 letters, digits, ".", "_" or "-", starting with a letter or digit';
    assert.deepEqual(await post('/api/signup', { password: 'correct horse' }), [400, name]);
    assert.deepEqual(await post('/api/signup', { name: '-x', password: 'correct horse' }), [400, name]);
    assert.deepEqual(await post('/api/signup', { name: 'carol', password: 'short' }), [400, 'password: expected 8-200 characters']);
    assert.deepEqual(await post('/api/login', { name: 'carol', password: 5 }), [400, 'expected {"name", "password"}']);
    assert.deepEqual(await post('/api/users', { name: 'team-x', team: 'bad/team' }, auth), [
      400,
      'team: expected 1-40 letters, digits, spaces, ".", "_" or "-"',
    ]);
    assert.deepEqual(await post('/api/users', { name: 'team-x', team: 7 }, auth), [400, 'team: expected 1-40 letters, digits, spaces, ".", "_" or "-"']);
    assert.deepEqual(await post('/api/splits', { dir: 'relative/dir' }, auth), [400, 'dir: expected an absolute directory path on the server']);
    assert.deepEqual(await post('/api/splits', { dir: '/tmp', name: '../up' }, auth), [400, 'name: expected letters, digits, ".", "_" or "-"']);
    const made = await fetch(`${server.url}/api/users`, { method: 'POST', headers: auth, body: JSON.stringify({ name: 'team-y', team: '', admin: 'yes' }) });
    assert.equal(made.status, 201);
    assert.deepEqual(await made.json().then((u) => [(u as { team: unknown }).team, (u as { admin: unknown }).admin]), [null, false]);
  });

  test('a body just under the limit is read (and judged on its content)', async () => {
    const body = JSON.stringify({ name: 'nobody', password: 'wrong password', pad: ' '.repeat(JSON_BODY_MAX_BYTES - 100) });
    assert.ok(body.length <= JSON_BODY_MAX_BYTES);
    const res = await fetch(`${server.url}/api/login`, { method: 'POST', headers: json, body });
    assert.equal(res.status, 401);
  });

  test('sign-up and sign-in take application/json only (a form or text/plain is what another site can send unasked)', async () => {
    const body = JSON.stringify({ name: 'mallory', password: 'correct horse' });
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const signup = await fetch(`${server.url}/api/signup`, { method: 'POST', headers: { 'content-type': type }, body });
      assert.equal(signup.status, 415, type);
      assert.equal(signup.headers.get('set-cookie'), null);
    }
    assert.equal((await fetch(`${server.url}/api/signup`, { method: 'POST', headers: json, body })).status, 201);
    const login = await fetch(`${server.url}/api/login`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body });
    assert.equal(login.status, 415);
    assert.equal(login.headers.get('set-cookie'), null);
    assert.equal((await fetch(`${server.url}/api/login`, { method: 'POST', headers: json, body })).status, 200);
  });

  test('sign-up and sign-in from a page of another site are refused; from this one they work', async () => {
    const body = JSON.stringify({ name: 'trent', password: 'correct horse' });
    const evil = { ...json, origin: 'http://evil.example' };
    const signup = await fetch(`${server.url}/api/signup`, { method: 'POST', headers: evil, body });
    assert.equal(signup.status, 403);
    assert.equal(signup.headers.get('set-cookie'), null);
    const own = { ...json, origin: server.url };
    assert.equal((await fetch(`${server.url}/api/signup`, { method: 'POST', headers: own, body })).status, 201);
    const login = await fetch(`${server.url}/api/login`, { method: 'POST', headers: evil, body });
    assert.equal(login.status, 403);
    assert.equal(login.headers.get('set-cookie'), null);
    assert.equal((await fetch(`${server.url}/api/login`, { method: 'POST', headers: own, body })).status, 200);
  });
});
