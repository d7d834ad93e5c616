/**
 * Guessing passwords: failed sign-ins are throttled per name and per
 * address (before any hash is computed), and password hashes take turns so
 * that they leave libuv's thread pool to file reads.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunningServer } from './server.js';
import { singlePhaseChallenge } from './challenge/config.js';
import { goldenGtDir, startTestServer, TestClock } from './test-support.js';
import { ADDRESS_FAILURES, NAME_FAILURES, WINDOW_MS } from './challenge/login-throttle.js';
import { hashing, HASHES_AT_ONCE, HASHES_WAITING, hashPassword, PasswordsBusy, verifyPassword } from './challenge/passwords.js';

describe('sign-in throttle', () => {
  let server: RunningServer;
  const clock = new TestClock(new Date('2026-03-01T12:00:00Z'));
  before(async () => {
    const gt = await goldenGtDir();
    server = await startTestServer({
      gtDir: gt,
      challenge: { ...singlePhaseChallenge(gt, 5), registration: 'open' },
      workers: 0,
      dataDirs: [],
      now: clock.now,
    });
  });
  after(async () => server.close());

  const login = (name: string, password: string): Promise<Response> =>
    fetch(`${server.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, password }) });

  test(`after ${NAME_FAILURES} wrong passwords for a name, even the right one waits for the window to end`, async () => {
    const signup = await fetch(`${server.url}/api/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'alice', password: 'correct horse' }),
    });
    assert.equal(signup.status, 201);
    for (let k = 0; k < NAME_FAILURES; k++) assert.equal((await login('alice', `guess ${k}`)).status, 401);
    const throttled = await login('ALICE', 'correct horse');
    assert.equal(throttled.status, 429);
    assert.equal(Number(throttled.headers.get('retry-after')), WINDOW_MS / 1000);
    assert.equal(throttled.headers.get('set-cookie'), null);
    clock.set(new Date(clock.time.getTime() + WINDOW_MS).toISOString());
    assert.equal((await login('alice', 'correct horse')).status, 200);
  });

  test(`after ${ADDRESS_FAILURES} failures from one address, any name waits`, async () => {
    clock.set(new Date(clock.time.getTime() + WINDOW_MS).toISOString());
    for (let k = 0; k < ADDRESS_FAILURES; k++) assert.equal((await login(`nobody${k}`, 'some password')).status, 401);
    assert.equal((await login('alice', 'correct horse')).status, 429);
    clock.set(new Date(clock.time.getTime() + WINDOW_MS).toISOString());
    assert.equal((await login('alice', 'correct horse')).status, 200);
  });
});

describe('password hashes take turns', () => {
  test(`${HASHES_AT_ONCE} at once at most, the others wait, and every answer is right`, async () => {
    const stored = await hashPassword('correct horse');
    hashing.peak = 0;
    const answers = await Promise.all(Array.from({ length: 20 }, (_, k) => verifyPassword(k % 2 ? 'correct horse' : 'wrong horse', stored)));
    assert.deepEqual(
      answers,
      Array.from({ length: 20 }, (_, k) => k % 2 === 1),
    );
    assert.equal(hashing.peak, HASHES_AT_ONCE);
    assert.equal(hashing.running, 0);
  });

  test(`more than ${HASHES_WAITING} waiting: refused at once, not queued without end`, async () => {
    const stored = await hashPassword('correct horse');
    const all = Array.from({ length: HASHES_AT_ONCE + HASHES_WAITING + 3 }, () =>
      verifyPassword('correct horse', stored).then(
        (ok) => ok,
        (err: unknown) => err,
      ),
    );
    const out = await Promise.all(all);
    assert.equal(out.filter((o) => o === true).length, HASHES_AT_ONCE + HASHES_WAITING);
    assert.equal(out.filter((o) => o instanceof PasswordsBusy).length, 3);
  });
});
