import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { hostFacts, withHugePages } from '../util/huge-pages.js';
import { runCli } from '../testing/cli.js';
import { REPO_ROOT, goldenPath, tempDir } from '../testing/paths.js';
import { wantsHugePages } from './relaunch.js';

const run = promisify(execFile);
const argv = (...args: string[]): string[] => args;

test('evaluations of masks and landmarks start again with huge pages; box, retrieval and help do not', () => {
  assert.equal(wantsHugePages(argv('eval', 'segm', '--gt', 'g.json', '--results', 'r.json')), true);
  assert.equal(wantsHugePages(argv('eval', 'keypoints', '--gt', 'g.json', '--results', 'r.json')), true);
  assert.equal(wantsHugePages(argv('eval', 'bbox', '--gt', 'g.json', '--results', 'r.json')), false);
  assert.equal(wantsHugePages(argv('eval', 'retrieval', '--query', 'q.json')), false);
  assert.equal(wantsHugePages(argv('eval', 'segm', '--help')), false);
  assert.equal(wantsHugePages(argv('compare', 'a.json', 'b.json', '--gt', 'g.json')), false);
  assert.equal(wantsHugePages(argv('compare', 'a.json', 'b.json', '--gt', 'g.json', '--task', 'segm')), true);
  assert.equal(wantsHugePages(argv('compare', 'a.json', 'b.json', '--task=keypoints')), true);
  assert.equal(wantsHugePages(argv('report', '--gt', 'g.json', '--results', 'r.json')), true);
  assert.equal(wantsHugePages(argv('report', '--results', 'r.json', '--task', 'bbox')), false);
  assert.equal(wantsHugePages(argv('report', '--results', 'a.json', '--task', 'bbox', '--results', 'b.json', '--task', 'segm')), true);
  assert.equal(wantsHugePages(argv('validate', 'annos')), false);
  assert.equal(wantsHugePages(argv()), false);
});

test('the relaunch replaces the process (same pid) with the tunable set, where Node.js and the machine allow it', async () => {
  const dir = await tempDir('df2-relaunch-');
  const probe = join(dir, 'probe.mjs');
  const relaunch = join(REPO_ROOT, 'dist', 'cli', 'relaunch.js');
  writeFileSync(
    probe,
    `import { relaunchWithHugePages } from ${JSON.stringify(relaunch)};\n` +
      `relaunchWithHugePages();\n` +
      `console.log(JSON.stringify({ pid: process.pid, tunables: process.env.GLIBC_TUNABLES ?? null, argv: process.argv.slice(2) }));\n`,
  );
  const env: NodeJS.ProcessEnv = { ...process.env, GLIBC_TUNABLES: 'glibc.malloc.arena_max=4' };
  delete env.DF2_HUGE_PAGES;
  const child = execFile(process.execPath, [probe, 'eval', 'segm', '--gt', 'g.json'], { env });
  const pid = child.pid;
  const stdout = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`probe exited ${code}`))));
  });
  const seen = JSON.parse(stdout) as { pid: number; tunables: string | null; argv: string[] };
  const expected = typeof (process as { execve?: unknown }).execve === 'function' ? withHugePages(env, hostFacts())?.GLIBC_TUNABLES : undefined;
  assert.equal(seen.pid, pid, 'one process: execve, not a child');
  assert.deepEqual(seen.argv, ['eval', 'segm', '--gt', 'g.json']);
  assert.equal(seen.tunables, expected ?? 'glibc.malloc.arena_max=4');
  // Off by choice: the process runs on as it started.
  const off = await run(process.execPath, [probe, 'eval', 'segm'], { env: { ...env, DF2_HUGE_PAGES: '0' } });
  assert.equal((JSON.parse(off.stdout) as { tunables: string }).tunables, 'glibc.malloc.arena_max=4');
});

test('an evaluation started again with huge pages prints the same figures', async () => {
  const args = [
    'eval',
    'segm',
    '--gt',
    goldenPath('basic', 'gt', 'coco.json'),
    '--results',
    goldenPath('basic', 'results', 'segm_results.json'),
    '--json',
    '--no-cache',
  ];
  const relaunched = await runCli(args);
  const plain = await runCli(args, { env: { DF2_HUGE_PAGES: '0' } });
  assert.equal(relaunched.code, 0, relaunched.stderr);
  assert.equal(relaunched.stderr, '');
  assert.equal(relaunched.stdout, plain.stdout);
  const expected = JSON.parse(readFileSync(goldenPath('basic', 'golden.json'), 'utf8')) as { segm: { stats: number[] } };
  const stats = (JSON.parse(relaunched.stdout) as { stats: number[] }).stats;
  stats.forEach((s, i) => assert.ok(Math.abs(s - expected.segm.stats[i]!) <= 1e-9, `stats[${i}]`));
});
