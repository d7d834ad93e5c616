/**
 * What `df2 serve` does once its options are parsed (src/cli/serve.ts
 * registers the command): demo data, the server, the demo account and the
 * baseline submissions.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../server/server.js';
import { ensureDemoData } from '../server/demo.js';
import { hashToken, newToken } from '../server/challenge/tokens.js';
import type { Task } from '../server/challenge/types.js';
import type { IndexProgress } from '../server/explorer/indexer.js';
import { startProgress, type Progress } from '../util/progress.js';
import { writeFileAtomic } from '../util/atomic.js';
import { cacheDirOf, resolveChallenge } from '../server/config.js';
import type { Challenge } from '../server/challenge/config.js';
import type { ServeCliOptions } from './serve.js';
import { parseResultsOption } from '../server/layers/sources.js';
import { checkListenHost } from './serve-check.js';
import { checkSplitDirs } from './split-input.js';

export async function runServe(options: ServeCliOptions): Promise<void> {
  // Options first, before any work: nothing is made, registered or indexed for a run that cannot serve.
  await checkListenHost(options.host);
  await checkSplitDirs(options.data ?? []);
  // The one check of --challenge/--gt-dir and its ground truth, each file read in full: a corrupt one is refused now.
  const given = options.gtDir !== undefined || options.challenge !== undefined;
  let challenge: Challenge | undefined = given ? await resolveChallenge(options, { command: 'serve', required: false, readGroundTruth: true }) : undefined;
  const results = (options.results ?? []).map(parseResultsOption);
  const cacheDir = cacheDirOf(options.db, options.cacheDir);
  const log = (line: string): void => {
    process.stderr.write(`${line}\n`);
  };
  let dataDirs = options.data ?? [];
  const demo = options.demo === true && dataDirs.length === 0 ? await ensureDemoData(cacheDir, { log }) : undefined;
  if (demo) {
    dataDirs = [demo.splitDir];
    // The demo's own ground truth, made just now, unless the user named a challenge.
    challenge ??= await resolveChallenge({ gtDir: demo.gtDir, quota: options.quota }, { command: 'serve', required: false });
  }

  const bars = new Map<string, Progress>();
  const onIndexProgress = (split: string, p: IndexProgress): void => {
    if (p.state === 'reading' && p.total > 0) {
      let bar = bars.get(split);
      if (!bar) bars.set(split, (bar = startProgress({ label: `indexing ${split}`, total: p.total })));
      bar.update(p.done);
    } else if (p.state === 'ready' || p.state === 'failed') {
      bars.get(split)?.stop();
      bars.delete(split);
      log(p.state === 'ready' ? `${split}: indexed (${p.changed} files read)` : `${split}: indexing failed: ${p.error}`);
    }
  };

  const server = await startServer({
    dataDirs,
    challenge,
    db: options.db,
    cacheDir,
    host: options.host,
    port: options.port,
    quota: options.quota,
    maxUploadBytes: options.maxUploadMb * 1024 * 1024,
    onIndexProgress,
    results,
    workers: options.workers,
    groundTruthMemoryMb: options.gtMemoryMb,
    stopGraceMs: options.stopTimeout * 1000,
  });
  let url = server.url;
  if (demo) {
    const token = await demoToken(server, cacheDir);
    await submitDemoBaseline(server, demo.resultsFiles);
    url = `${server.url}/#token=${token}`;
  }
  for (const phase of server.ctx.settings.challenge.phases) {
    const dates = phase.start || phase.end ? ` (${phase.start ?? '…'} to ${phase.end ?? '…'})` : '';
    log(`df2 serve: phase ${phase.name}${dates}: ${phase.tasks.join(', ') || 'no task (no --gt-dir)'}`);
  }
  process.stdout.write(`${url}\n`);

  await new Promise<void>((done) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      log('df2 serve: stopping');
      void server.close().then(done);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** The demo's admin user; its token is kept in the cache (mode 0600) so the printed URL stays the same. */
async function demoToken(server: RunningServer, cacheDir: string): Promise<string> {
  const file = join(cacheDir, 'demo', 'token');
  const saved = (await readFile(file, 'utf8').catch(() => '')).trim();
  if (saved && (await server.ctx.store.userByTokenHash(hashToken(saved)))) return saved;
  const token = newToken();
  const users = await server.ctx.store.listUsers();
  const name = users.some((u) => u.name === 'demo') ? `demo-${users.length + 1}` : 'demo';
  await server.ctx.store.addUser({ name, admin: true, tokenHash: hashToken(token) });
  // Created with mode 0600 (not chmod-ed after the write): no moment when others could read it.
  await writeFileAtomic(file, token, { mode: 0o600 });
  return token;
}

/** Once: the imitation model's results as the demo user's first submissions (marked as baselines), so the leaderboards show something. */
async function submitDemoBaseline(server: RunningServer, files: Record<'bbox' | 'segm' | 'keypoints' | 'retrieval', string>): Promise<void> {
  const { store, settings } = server.ctx;
  if ((await store.listSubmissions({ limit: 1 })).length > 0) return;
  const user = (await store.listUsers()).find((u) => u.admin);
  if (!user) return;
  const plan: [Task, string][] = [
    ['bbox', files.bbox],
    ['segm', files.segm],
    ['keypoints', files.keypoints],
    ['keypoints_visible', files.keypoints],
    ['retrieval', files.retrieval],
  ];
  const phase = settings.challenge.phases[0]!;
  const meta = { name: 'synthetic baseline', description: 'the imitation model of df2 synth', paperUrl: null, codeUrl: null, public: true };
  for (const [task, file] of plan) {
    // The same steps as an upload through the API, without the upload: a task the phase lacks is passed over.
    if (phase.tasks.includes(task)) await server.ctx.submissions.submitBaseline(user.id, phase, task, file, settings.uploadsDir, meta, settings.now());
  }
}
