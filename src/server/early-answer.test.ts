/**
 * An answer given before the request's body is read (a 429 over the
 * submission limit, a 413 over the size limit) must reach the client: the
 * connection is not cut while the client still sends (which a client sees
 * as EPIPE or ECONNRESET instead of the answer).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunningServer } from './server.js';
import { addUser, goldenGtDir, startTestServer, upload } from './test-support.js';

const RUNS = 10;

describe('answers given before the body is read reach the client', () => {
  let server: RunningServer;
  let token: string;
  before(async () => {
    server = await startTestServer({ gtDir: await goldenGtDir(), quota: 1, workers: 0, dataDirs: [] });
    token = await addUser(server, 'grace');
    const first = await upload(server, token, { task: 'bbox', name: 'first', file: { name: 'bbox.json', content: '[]' } });
    assert.equal(first.status, 202);
  });
  after(async () => server.close());

  // A body of the size a real upload has (hundreds of MB), streamed: still being sent when the answer goes out.
  const BODY_MB = 200;
  const chunk = new Uint8Array(256 * 1024).fill(0x20);
  const streamed = (head: string): ReadableStream<Uint8Array> => {
    let sent = 0;
    return new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(head));
      },
      pull(controller) {
        if (sent >= BODY_MB * 1024 * 1024) return controller.close();
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
  };
  const BOUNDARY = 'df2earlyanswer';
  const multipart = (): ReadableStream<Uint8Array> =>
    streamed(
      [
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="task"\r\n\r\nbbox\r\n`,
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="name"\r\n\r\nover the limit\r\n`,
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="bbox.json"\r\nContent-Type: application/json\r\n\r\n`,
      ].join(''),
    );
  const attempt = async (url: string, body: ReadableStream<Uint8Array>, type: string): Promise<number | string> => {
    try {
      const res = await fetch(url, {
        method: 'POST',
        body,
        duplex: 'half',
        headers: { authorization: `Bearer ${token}`, 'content-type': type },
      } as RequestInit);
      await res.arrayBuffer();
      return res.status;
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      return cause?.code ?? cause?.message ?? String(err);
    }
  };
  const formType = `multipart/form-data; boundary=${BOUNDARY}`;

  test(`429 named in the query, before any byte of the body: ${RUNS} of ${RUNS} seen`, async () => {
    const seen: (number | string)[] = [];
    for (let k = 0; k < RUNS; k++) seen.push(await attempt(`${server.url}/api/submissions?task=bbox`, multipart(), formType));
    assert.deepEqual(seen, Array(RUNS).fill(429));
  });
  test(`429 from the fields before the file: ${RUNS} of ${RUNS} seen`, async () => {
    const seen: (number | string)[] = [];
    for (let k = 0; k < RUNS; k++) seen.push(await attempt(`${server.url}/api/submissions`, multipart(), formType));
    assert.deepEqual(seen, Array(RUNS).fill(429));
  });
  test(`413 for a JSON body over its limit: ${RUNS} of ${RUNS} seen`, async () => {
    const seen: (number | string)[] = [];
    for (let k = 0; k < RUNS; k++) seen.push(await attempt(`${server.url}/api/login`, streamed('{"name": "'), 'application/json'));
    assert.deepEqual(seen, Array(RUNS).fill(413));
  });
});
