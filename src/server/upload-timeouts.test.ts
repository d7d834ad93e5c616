/**
 * Upload time limits: the largest allowed file must get through a slow link
 * (Node's default total limit of 300 s cut 2 GB slower than 6.9 MB/s), while a
 * connection that stalls is still closed.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { RunningServer } from './server.js';
import { SERVER_DEFAULTS } from './defaults.js';

const DEFAULT_MAX_UPLOAD_BYTES = SERVER_DEFAULTS.maxUploadMb * 1024 ** 2;
import { RESERVATION_SECONDS } from './challenge/evaluator.js';
import { addUser, goldenGtDir, startTestServer } from './test-support.js';

describe('upload time limits', () => {
  test('by default a 2 GB upload may take hours (at least at 1 Mbit/s), not 300 s; a silent connection is closed within minutes', async () => {
    const server = await startTestServer({ gtDir: await goldenGtDir(), workers: 0, dataDirs: [] });
    try {
      const { requestMs, idleMs, headersMs } = server.timeouts;
      const slowLinkBytesPerMs = 1_000_000 / 8 / 1000;
      assert.ok(requestMs >= DEFAULT_MAX_UPLOAD_BYTES / slowLinkBytesPerMs, `a whole request may take ${requestMs / 1000} s`);
      // Another server's recovery sweep drops a reservation older than this: an upload must end before.
      assert.ok(requestMs < RESERVATION_SECONDS * 1000);
      assert.ok(idleMs > 0 && idleMs <= 300_000, `idle limit ${idleMs} ms`);
      assert.ok(headersMs > 0 && headersMs <= 60_000);
    } finally {
      await server.close();
    }
  });

  describe('with the limits shortened (idle 1.5 s, total 60 s)', () => {
    let server: RunningServer;
    let token: string;
    before(async () => {
      server = await startTestServer({ gtDir: await goldenGtDir(), workers: 0, dataDirs: [], idleTimeoutMs: 1500, requestTimeLimitMs: 60_000 });
      token = await addUser(server, 'grace');
    });
    after(async () => server.close());

    /** An upload whose body comes in `pieces`, `gapMs` apart; resolves with the status, or 'closed' when the server ends the connection. */
    const trickle = (pieces: number, gapMs: number): Promise<number | 'closed'> =>
      new Promise((resolve) => {
        const boundary = 'df2trickle';
        const head = `--${boundary}\r\nContent-Disposition: form-data; name="task"\r\n\r\nbbox\r\n--${boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\nslow\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="bbox.json"\r\n\r\n[`;
        const tail = `]\r\n--${boundary}--\r\n`;
        const req = request(`${server.url}/api/submissions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${boundary}`, 'transfer-encoding': 'chunked' },
        });
        req.on('response', (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', () => resolve('closed'));
        req.on('close', () => resolve('closed'));
        req.write(head);
        let sent = 0;
        const timer = setInterval(() => {
          if (req.destroyed) return clearInterval(timer);
          if (sent++ < pieces) req.write(' ');
          else {
            clearInterval(timer);
            req.end(tail);
          }
        }, gapMs);
      });

    test('an upload that keeps sending gets through, though it takes longer than the idle limit', async () => {
      const started = Date.now();
      assert.equal(await trickle(12, 400), 202);
      assert.ok(Date.now() - started > 3000);
    });
    test('an upload that stops sending for longer than the idle limit is cut', async () => {
      assert.equal(await trickle(1, 4000), 'closed');
    });
  });
});
