import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../../testing/paths.js';
import { openDatabase } from '../store/sqlite.js';
import { sqliteDriver } from '../store/sqlite-driver.js';
import { FileUploads } from './file-uploads.js';
import { InProcessJobQueue } from './in-process-queue.js';
import { SqlStore } from './sql-store.js';
import { SubmissionService } from './service.js';
import type { Phase } from './config.js';

const phase: Phase = {
  name: 'dev',
  gtDir: '/gt',
  tasks: ['bbox', 'segm'],
  end: '2027-06-15T00:00:00.000Z',
  limits: { perDay: 1 },
  leaderboard: 'public',
  scores: 'shown',
  rule: 'best',
};
const meta = { name: 'm', description: '', paperUrl: null, codeUrl: null, public: true };

async function open() {
  const dir = await tempDir('df2-service-');
  const db = openDatabase(join(dir, 'df2.sqlite'));
  const store = await SqlStore.open(sqliteDriver(db));
  const queue = new InProcessJobQueue();
  const service = new SubmissionService({ store, uploads: new FileUploads(), queue });
  const user = await store.addUser({ name: 'u', admin: true, tokenHash: 'h' });
  const received = async (name: string) => {
    const path = join(dir, name);
    await writeFile(path, '[]');
    return { path, fileName: name, bytes: 2 };
  };
  return { dir, store, queue, service, user, received, close: async () => (db.close(), rm(dir, { recursive: true, force: true })) };
}

test('reserve refuses with the line and status the API answers: task, closed phase, full limit', async () => {
  const { service, user, close } = await open();
  try {
    const at = new Date('2027-06-01T10:00:00.000Z');
    assert.deepEqual(await service.reserve(user.id, phase, 'retrieval', at), {
      refused: { status: 400, message: 'task: phase dev has bbox, segm, not retrieval' },
    });
    assert.equal(((await service.reserve(user.id, phase, 'nope', at)) as { refused: { status: number } }).refused.status, 400);
    assert.deepEqual(await service.reserve(user.id, phase, 'bbox', new Date('2027-06-15T00:00:00.001Z')), {
      refused: { status: 403, message: 'phase dev closed at 2027-06-15T00:00:00.000Z' },
    });
    // At the very instant the phase ends it is still open (both ends included).
    assert.ok('id' in (await service.reserve(user.id, phase, 'bbox', new Date(phase.end!))));
    const full = await service.reserve(user.id, phase, 'bbox', new Date(phase.end!));
    assert.equal('refused' in full && full.refused.status, 429);
    assert.ok('id' in (await service.reserve(user.id, phase, 'bbox', at, { limits: false })), 'a baseline is counted by no limit');
  } finally {
    await close();
  }
});

test('complete keeps, records and queues; a dropped reservation leaves neither file nor row', async () => {
  const { store, queue, service, user, received, close } = await open();
  try {
    const at = new Date('2027-06-01T10:00:00.000Z');
    const first = await service.reserve(user.id, phase, 'bbox', at);
    assert.ok('id' in first);
    const file = await received('a.json');
    assert.deepEqual(await service.complete(first.id, file, meta), { id: first.id });
    assert.equal((await store.submission(first.id))!.status, 'queued');
    assert.equal(queue.depth, 1);

    const second = await service.reserve(user.id, phase, 'segm', at);
    assert.ok('id' in second);
    await store.recoverInterrupted(3, 0, 0); // the reservation runs out while the file arrives
    const late = await received('b.json');
    assert.deepEqual(await service.complete(second.id, late, meta), {
      refused: { status: 409, message: 'the submission was dropped while it was uploaded (its reservation ran out or the server restarted)' },
    });
    assert.ok(!existsSync(late.path), 'the received file is removed');
    assert.equal(queue.depth, 1, 'nothing more was queued');
  } finally {
    await close();
  }
});

test('a baseline: copied (never moved), marked, queued; cancel by the owner only; re-run only once evaluated', async () => {
  const { dir, store, queue, service, user, received, close } = await open();
  try {
    const source = await received('baseline.json');
    const uploadsDir = join(dir, 'uploads');
    await mkdir(uploadsDir);
    const got = await service.submitBaseline(user.id, phase, 'segm', source.path, uploadsDir, meta, new Date('2027-06-01T10:00:00.000Z'));
    assert.ok('id' in got);
    const sub = (await store.submission(got.id))!;
    assert.deepEqual([sub.baseline, sub.status, sub.fileName], [true, 'queued', 'baseline.json']);
    assert.ok(existsSync(source.path), 'the source file stays');
    assert.equal((await readdir(uploadsDir)).length, 1);
    assert.equal(queue.depth, 1);
    assert.deepEqual(await service.cancel(sub, user.id + 1), { status: 403, message: 'only its owner cancels a submission' });
    assert.deepEqual(await service.rerun(sub.id), { status: 409, message: 'only a done or failed submission can be re-run; this one is queued' });
    assert.deepEqual(await service.rerun(999), { status: 404, message: 'no such submission' });
    assert.equal(await service.cancel(sub, user.id), undefined);
    assert.equal((await store.submission(sub.id))!.status, 'cancelled');
  } finally {
    await close();
  }
});
