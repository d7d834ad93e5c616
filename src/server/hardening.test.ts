/**
 * What was found when the server was tried as an attacker would: one server
 * per database, no server paths in reports or split listings, an upload of
 * exactly the limit accepted, partial uploads removed after a crash, the
 * quota reserved before the body is written, private file modes, a
 * Content-Security-Policy, and no symbolic link followed out of a split.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdir, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createApp } from './app.js';
import { startServer, type RunningServer } from './server.js';
import { registerSplitDir } from './splits.js';
import { goldenPath, tempDir } from '../testing/paths.js';
import { addUser, GOLDEN_SPLIT, goldenGtDir, startTestServer, upload, waitForSubmission } from './test-support.js';
import { singlePhaseChallenge } from './challenge/config.js';

const mode = async (path: string): Promise<number> => (await stat(path)).mode & 0o777;

test('a second df2 serve on the same database refuses to start; after the first stops, one may', async () => {
  const db = join(await tempDir('df2-lock-'), 'df2.sqlite');
  const first = await startServer({ db, port: 0, workers: 0 });
  try {
    await assert.rejects(
      startServer({ db, port: 0 }),
      (err: Error) => err.message === `${db}: expected a database that no other df2 serve is using (--db), found another df2 serve has it open`,
    );
  } finally {
    await first.close();
  }
  const second = await startServer({ db, port: 0, workers: 0 });
  await second.close();
});

test('partial uploads and reservations a crash left behind are removed at start', async () => {
  const dir = await tempDir('df2-partial-');
  const db = join(dir, 'df2.sqlite');
  await mkdir(join(dir, 'uploads'), { recursive: true });
  const part = join(dir, 'uploads', '.0b8a4c1e-6f3e-4a57-9a0c-2f0f3d9c1a11.part');
  await writeFile(part, '[{"image_id": 1, "cat');
  await writeFile(join(dir, 'uploads', 'keep.json'), '[]');
  const server = await startServer({ db, port: 0, workers: 0 });
  try {
    assert.deepEqual(await readdir(join(dir, 'uploads')), ['keep.json']);
  } finally {
    await server.close();
  }
});

test('an upload still arriving when the server closes is answered 503, with nothing logged', async () => {
  const gtDir = await goldenGtDir();
  const server = await startTestServer({ gtDir, workers: 0, dataDirs: [], challenge: singlePhaseChallenge(gtDir, 5) });
  const token = await addUser(server, 'alice');
  const app = createApp(server.ctx);
  // A form whose file part has begun (the submission's place is reserved there) and then stalls.
  const boundary = 'df2-test-boundary';
  const head = [
    ['phase', 'dev'],
    ['task', 'bbox'],
    ['name', 'method'],
  ]
    .map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)
    .join('');
  let body!: ReadableStreamDefaultController<Uint8Array>;
  const stream = new ReadableStream<Uint8Array>({ start: (c) => void (body = c) });
  body.enqueue(new TextEncoder().encode(`${head}--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="r.json"\r\n\r\n[`));
  const logged: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array) => (logged.push(String(chunk)), true)) as typeof process.stderr.write;
  try {
    const answer = app.request('/api/submissions', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    // The upload's partial file exists once its place is reserved.
    const uploads = server.ctx.settings.uploadsDir;
    for (let i = 0; i < 200 && !(await readdir(uploads)).some((name) => name.endsWith('.part')); i++) await new Promise((r) => setTimeout(r, 10));
    await server.close();
    // The client goes away after the stores are closed: undoing the reservation cannot reach them.
    body.error(new Error('the client went away'));
    const res = await answer;
    assert.equal(res.status, 503);
    assert.deepEqual(await res.json(), { error: 'the server is shutting down' });
  } finally {
    process.stderr.write = write;
  }
  assert.deepEqual(logged, []);
});

describe('a running server, tried as an attacker would', () => {
  let server: RunningServer;
  let gtDir: string;
  let dir: string;
  let admin: string;
  let alice: string;
  const LIMIT = 64 * 1024;

  before(async () => {
    dir = await tempDir('df2-hard-');
    gtDir = await goldenGtDir();
    // A copy of the split in which one image is a link to a file outside it.
    const split = join(dir, 'split');
    await cp(GOLDEN_SPLIT, split, { recursive: true });
    await writeFile(join(dir, 'outside.jpg'), await readFile(join(split, 'image', '000002.jpg')));
    await rm(join(split, 'image', '000002.jpg'));
    await symlink(join(dir, 'outside.jpg'), join(split, 'image', '000002.jpg'));
    server = await startTestServer({
      db: join(dir, 'db', 'df2.sqlite'),
      dataDirs: [split],
      gtDir,
      maxUploadBytes: LIMIT,
      challenge: { ...singlePhaseChallenge(gtDir, 2) },
    });
    admin = await addUser(server, 'admin', true);
    alice = await addUser(server, 'alice');
  });
  after(async () => server.close());

  test('an upload of exactly the limit is accepted; one byte more is not', async () => {
    const exact = new Uint8Array(LIMIT).fill(0x20);
    const res = await upload(server, admin, { task: 'bbox', name: 'exact', file: { name: 'r.json', content: exact } });
    assert.equal(res.status, 202, await res.clone().text());
    const id = ((await res.json()) as { id: number }).id;
    assert.equal((await server.ctx.store.submission(id))!.fileBytes, LIMIT);
    const over = await upload(server, admin, { task: 'bbox', name: 'over', file: { name: 'r.json', content: new Uint8Array(LIMIT + 1).fill(0x20) } });
    assert.equal(over.status, 413);
  });

  test('the database, uploads, reports and thumbnails are readable by the server user only', async () => {
    const res = await upload(server, alice, {
      task: 'bbox',
      name: 'modes',
      file: { name: 'bbox.json', content: await readFile(goldenPath('basic', 'results', 'bbox_results.json')) },
    });
    const sub = await waitForSubmission(server, alice, ((await res.json()) as { id: number }).id);
    assert.equal(sub.status, 'done', String(sub.error));
    await server.idle();
    const stored = (await server.ctx.store.uploadKey(sub.id as number))!;
    assert.equal(await mode(join(dir, 'db')), 0o700);
    assert.equal(await mode(join(dir, 'db', 'df2.sqlite')), 0o600);
    assert.equal(await mode(join(dir, 'db', 'df2.sqlite-wal')), 0o600);
    assert.equal(await mode(join(dir, 'db', 'df2.sqlite.lock')), 0o600);
    assert.equal(await mode(server.ctx.settings.uploadsDir), 0o700);
    assert.equal(await mode(server.ctx.settings.thumbnailsDir), 0o700);
    assert.equal(await mode(stored), 0o600);
    // The report is kept in the database (as readable as the database file), just after the figures.
    for (let k = 0; k < 100 && (await server.ctx.store.report(sub.id as number)) === undefined; k++) await new Promise((r) => setTimeout(r, 100));
    assert.match((await server.ctx.store.report(sub.id as number)) ?? '', /<html/i);
  });

  test('the report page shows no server path (ground truth, uploads)', async () => {
    const [sub] = (await (await fetch(`${server.url}/api/submissions`, { headers: { authorization: `Bearer ${alice}` } })).json()) as { id: number }[];
    const stored = (await server.ctx.store.uploadKey(sub!.id))!;
    const raw = (await server.ctx.store.report(sub!.id))!;
    assert.ok(raw.includes('&lt;ground truth&gt;/coco.json') || raw.includes('<ground truth>/coco.json'), 'the worker names the ground truth without its path');
    const res = await fetch(`${server.url}/api/submissions/${sub!.id}/report`, { headers: { authorization: `Bearer ${alice}` } });
    assert.equal(res.status, 200);
    const html = await res.text();
    for (const path of [gtDir, server.ctx.settings.uploadsDir, stored, dir]) assert.ok(!html.includes(path), `the report shows ${path}`);
    assert.ok(html.includes('bbox.json'), 'the upload is named as its owner called it');
    assert.match(res.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
  });

  test("/api/splits does not show a split's directory to anonymous users", async () => {
    const secret = join(dir, 'secret-place', 'validation');
    await registerSplitDir(server.ctx, secret, 'missing');
    await server.ctx.indexer.idle();
    const anonymous = await (await fetch(`${server.url}/api/splits`)).text();
    assert.match(anonymous, /"name":"missing"/);
    assert.match(anonymous, /"state":"failed"/);
    assert.ok(!anonymous.includes(dir), anonymous);
    const forAdmin = await (await fetch(`${server.url}/api/splits`, { headers: { authorization: `Bearer ${admin}` } })).text();
    assert.ok(forAdmin.includes(secret), 'admins see where it is, to mend it');
  });

  test('thumbnails and images follow no symbolic link out of the split directory', async () => {
    const get = (path: string) => fetch(`${server.url}${path}`);
    assert.equal((await get('/api/images/split/1/image?w=160')).status, 200);
    assert.equal((await get('/api/images/split/1/image')).status, 200);
    assert.equal((await get('/api/images/split/2/image?w=160')).status, 404);
    assert.equal((await get('/api/images/split/2/image')).status, 404);
  });

  test('pages send a Content-Security-Policy with frame-ancestors none', async () => {
    const app = createApp(server.ctx);
    for (const path of ['/', '/api/challenge', '/style.css']) {
      const res = await app.request(path);
      const csp = res.headers.get('content-security-policy') ?? '';
      assert.match(csp, /frame-ancestors 'none'/, path);
      assert.match(csp, /script-src 'self'/, path);
      assert.equal(res.headers.get('x-frame-options'), 'DENY');
    }
  });

  test('parallel uploads cannot pass the quota: it is reserved before the body is written', async () => {
    const carol = await addUser(server, 'carol');
    await server.ctx.queue.stop();
    // Six uploads at once, each holding back the rest of its body until released.
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const form = new FormData();
    form.set('phase', 'dev');
    form.set('task', 'segm');
    form.set('name', 'parallel');
    form.set('file', new Blob([new Uint8Array(32 * 1024).fill(0x20)]), 'r.json');
    const encoded = new Request('http://localhost/', { method: 'POST', body: form });
    const bytes = new Uint8Array(await encoded.arrayBuffer());
    const head = bytes.slice(0, bytes.length - 1024);
    const send = () => {
      let step = 0;
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (step === 0) controller.enqueue(head);
          else if (step === 1) {
            await gate;
            controller.enqueue(bytes.slice(head.length));
          } else controller.close();
          step++;
        },
      });
      return fetch(`${server.url}/api/submissions`, {
        method: 'POST',
        body,
        duplex: 'half',
        headers: { authorization: `Bearer ${carol}`, 'content-type': encoded.headers.get('content-type')! },
      } as RequestInit).then(
        (r) => r.status,
        () => 'reset',
      );
    };
    const pending = Array.from({ length: 6 }, send);
    // Every upload has reached its file part: two reservations are held, four refused, while no body is complete.
    const carolId = (await server.ctx.store.userByName('carol'))!.id;
    for (let k = 0; k < 200 && (await server.ctx.store.countTeamSubmissions(carolId, 'dev', 'segm', '')) < 2; k++) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await server.ctx.store.countTeamSubmissions(carolId, 'dev', 'segm', ''), 2);
    const parts = (await readdir(server.ctx.settings.uploadsDir)).filter((n) => n.endsWith('.part'));
    assert.equal(parts.length, 2, 'only the two reserved uploads are being written');
    release();
    const statuses = await Promise.all(pending);
    assert.deepEqual(statuses.filter((s) => s === 202).length, 2, String(statuses));
    assert.ok(
      statuses.filter((s) => s !== 202).every((s) => s === 429 || s === 'reset'),
      String(statuses),
    );
    const mine = (await (await fetch(`${server.url}/api/submissions`, { headers: { authorization: `Bearer ${carol}` } })).json()) as { task: string }[];
    assert.equal(mine.filter((s) => s.task === 'segm').length, 2);
  });
});
