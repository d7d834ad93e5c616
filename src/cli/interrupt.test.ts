/**
 * Ctrl-C in a command that writes output through temporary files: the process
 * ends by the signal (a shell shows 130) and leaves neither its hidden `.tmp` files nor a final
 * output behind. The split is made large enough (by repeating the golden
 * annotations) that the signal arrives mid-run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, readdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { goldenPath, REPO_ROOT, tempDir } from '../testing/paths.js';

const IMAGES = 6000;

/** A split named `validation` of IMAGES images: the golden annotations and images, linked over and over. */
async function bigSplit(): Promise<string> {
  const split = join(await tempDir('df2-interrupt-'), 'validation');
  const source = goldenPath('basic', 'dataset');
  const stems = (await readdir(join(source, 'annos'))).map((f) => f.slice(0, -'.json'.length)).sort();
  await mkdir(join(split, 'annos'), { recursive: true });
  await mkdir(join(split, 'image'), { recursive: true });
  for (let id = 1; id <= IMAGES; id++) {
    const stem = stems[(id - 1) % stems.length]!;
    const name = String(id).padStart(6, '0');
    await symlink(join(source, 'annos', `${stem}.json`), join(split, 'annos', `${name}.json`));
    await symlink(join(source, 'image', `${stem}.jpg`), join(split, 'image', `${name}.jpg`));
  }
  return split;
}

/** Every path under dir (recursive), relative to it. */
async function listAll(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).map(String);
}

async function interruptMidRun(
  args: string[],
  outDir: string,
  signal: NodeJS.Signals,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'df2.js'), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const closed = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (code, signal) => resolve([code, signal])));
  let exited = false;
  void closed.then(() => (exited = true));
  // Wait until the command is writing (a .tmp path exists), then interrupt it.
  for (;;) {
    if (exited) assert.fail(`${args.join(' ')} finished before it could be interrupted: ${stderr}`);
    if ((await listAll(outDir)).some((p) => p.endsWith('.tmp'))) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  child.kill(signal);
  const [code, endedBy] = await closed;
  return { code, signal: endedBy, stderr };
}

test('Ctrl-C in convert coco, retrieval, yolo and synth leaves no .tmp files and no output', async () => {
  const split = await bigSplit();
  const runs: [args: (out: string) => string[], signal: NodeJS.Signals][] = [
    [(out) => ['convert', 'coco', split, '--out', join(out, 'coco.json')], 'SIGINT'],
    [(out) => ['convert', 'retrieval', split, '--query', join(out, 'query.json'), '--gallery', join(out, 'gallery.json')], 'SIGINT'],
    [(out) => ['convert', 'yolo', split, '--out', join(out, 'yolo'), '--task', 'detect'], 'SIGINT'],
    [(out) => ['convert', 'coco', split, '--out', join(out, 'coco.json')], 'SIGTERM'],
    // synth stops its painting threads first, then ends by the signal too.
    [(out) => ['synth', '--out', join(out, 'synth'), '--images', '3000', '--predictions'], 'SIGINT'],
    [(out) => ['synth', '--out', join(out, 'synth'), '--images', '3000'], 'SIGTERM'],
  ];
  for (const [args, signal] of runs) {
    const out = await tempDir('df2-interrupt-out-');
    const argv = args(out);
    const ended = await interruptMidRun(argv, out, signal);
    // Ended by the signal itself, as its default action would (not an exit code a hung process.exit could withhold).
    assert.deepEqual([ended.code, ended.signal], [null, signal], `${argv.join(' ')}: ${ended.stderr}`);
    const left = (await listAll(out)).filter((p) => !/^yolo(\/(images|labels))?$/.test(p));
    assert.deepEqual(left, [], `${argv.join(' ')} on ${signal} left files behind`);
  }
});
