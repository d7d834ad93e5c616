import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { goldenPath, tempDir } from '../testing/paths.js';
import { InputError, UsageError } from '../util/errors.js';
import { cacheDirOf, challengeTasks, evaluationSettings, groundTruthOf, resolveChallenge } from './config.js';
import { SERVER_DEFAULTS } from './defaults.js';
import { goldenGtDir } from './test-support.js';

test('evaluation settings: each absent one is the default, each given one kept', () => {
  assert.deepEqual(evaluationSettings({}), {
    timeoutMs: SERVER_DEFAULTS.evalTimeoutMs,
    childHeapMb: SERVER_DEFAULTS.childHeapMb,
    leaseSeconds: SERVER_DEFAULTS.leaseSeconds,
    maxAttempts: SERVER_DEFAULTS.maxAttempts,
    groundTruthMemoryMb: SERVER_DEFAULTS.groundTruthMemoryMb,
  });
  assert.deepEqual(evaluationSettings({ evalTimeoutMs: 1, childHeapMb: 64, leaseSeconds: 8, maxAttempts: 2, groundTruthMemoryMb: 0 }), {
    timeoutMs: 1,
    childHeapMb: 64,
    leaseSeconds: 8,
    maxAttempts: 2,
    groundTruthMemoryMb: 0,
  });
  assert.deepEqual(
    [SERVER_DEFAULTS.evalTimeoutMs, SERVER_DEFAULTS.childHeapMb, SERVER_DEFAULTS.quota, SERVER_DEFAULTS.groundTruthMemoryMb],
    [6 * 3600_000, 8192, 5, 2048],
  );
});

test('the cache folder: --cache-dir, else beside the SQLite file, else .df2 for PostgreSQL', () => {
  assert.equal(cacheDirOf('/srv/df2/df2.sqlite'), '/srv/df2');
  assert.equal(cacheDirOf('/srv/df2/df2.sqlite', 'cache'), resolve('cache'));
  assert.equal(cacheDirOf('postgres://df2@db/df2'), resolve('.df2'));
  assert.equal(cacheDirOf(SERVER_DEFAULTS.db), dirname(resolve(SERVER_DEFAULTS.db)));
});

test('--challenge and --gt-dir: never both; a worker needs one; df2 serve without either only explores', async () => {
  const both = { gtDir: 'gt', challenge: 'challenge.yaml' };
  await assert.rejects(
    resolveChallenge(both, { command: 'worker', required: true }),
    (err: unknown) =>
      err instanceof UsageError &&
      err.message === "worker: --challenge/--gt-dir: expected exactly one of --challenge FILE and --gt-dir DIR (the servers'), found both",
  );
  await assert.rejects(
    resolveChallenge({}, { command: 'worker', required: true }),
    (err: unknown) => err instanceof UsageError && err.message.endsWith('found neither'),
  );
  await assert.rejects(
    resolveChallenge(both, { command: 'serve', required: false }),
    (err: unknown) =>
      err instanceof UsageError &&
      err.message === "serve: --challenge/--gt-dir: expected either --gt-dir or --challenge (the challenge file names each phase's ground truth), found both",
  );
  const exploring = await resolveChallenge({}, { command: 'serve', required: false });
  assert.deepEqual(challengeTasks(exploring), []);
  assert.deepEqual(exploring.phases[0]!.limits, { perDay: SERVER_DEFAULTS.quota });
});

test('--gt-dir is checked once, the same way for serve and worker; only serve reads each file in full', async () => {
  const root = await tempDir('df2-config-');
  try {
    const missing = join(root, 'missing');
    for (const command of ['serve', 'worker'] as const) {
      await assert.rejects(
        resolveChallenge({ gtDir: missing }, { command, required: true }),
        (err: unknown) =>
          err instanceof InputError &&
          err.message.startsWith(`${missing}: expected a folder of challenge ground truth`) &&
          err.message.endsWith('found no such folder'),
      );
      await assert.rejects(
        resolveChallenge({ gtDir: root }, { command, required: true }),
        (err: unknown) => err instanceof InputError && err.message.endsWith('found none of these files'),
      );
    }
    const corrupt = join(root, 'corrupt');
    await mkdir(corrupt);
    const coco = JSON.parse(await readFile(goldenPath('basic', 'gt', 'coco.json'), 'utf8')) as { annotations: { bbox: unknown }[] };
    coco.annotations[5]!.bbox = [1, 2, 3];
    await writeFile(join(corrupt, 'coco.json'), JSON.stringify(coco));
    await assert.rejects(resolveChallenge({ gtDir: corrupt }, { command: 'serve', required: false, readGroundTruth: true }), /annotations\[5\]\.bbox/);
    const unread = await resolveChallenge({ gtDir: corrupt }, { command: 'worker', required: true });
    assert.deepEqual(challengeTasks(unread), ['bbox', 'segm', 'keypoints']);

    const gt = await goldenGtDir();
    const challenge = await resolveChallenge({ gtDir: gt, quota: 2 }, { command: 'serve', required: false, readGroundTruth: true });
    assert.deepEqual([challenge.phases.length, challenge.phases[0]!.name, challenge.phases[0]!.limits], [1, 'dev', { perDay: 2 }]);
    assert.equal(groundTruthOf(challenge)('dev'), resolve(gt));
    assert.equal(groundTruthOf(challenge)('test'), undefined);
    // What the CLI resolved is handed on and taken as it is: the server and the worker do not check it again.
    assert.equal(await resolveChallenge({ challenge, gtDir: missing }, { command: 'worker', required: true }), challenge);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
