/**
 * `df2 eval <task> --results a.json b.json ...` (one row per file, each equal
 * to its own single run; table, --json, --csv; patterns) and the snapshot
 * options of `df2 eval` (--cache, --no-cache, --verify-cache) end to end.
 */
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../testing/cli.js';
import { goldenPath, tempDir } from '../testing/paths.js';

interface ReportJson {
  task: string;
  stats: number[];
  per_category_ap: { category_id: number; ap: number }[];
}

/** The basic fixture's results and a second "checkpoint": every other result of them, scores scaled. */
async function resultsFolder(task: string): Promise<{ dir: string; files: string[] }> {
  const dir = await tempDir('df2-many-');
  const all = JSON.parse(readFileSync(goldenPath('basic', 'results', `${task}_results.json`), 'utf8')) as { score: number }[];
  const files = [join(dir, `a-${task}.json`), join(dir, `b-${task}.json`)];
  writeFileSync(files[0]!, JSON.stringify(all));
  writeFileSync(files[1]!, JSON.stringify(all.filter((_, i) => i % 2 === 0).map((r, i) => ({ ...r, score: r.score * (i % 3 === 0 ? 0.5 : 1) }))));
  return { dir, files };
}

for (const task of ['bbox', 'segm', 'keypoints'] as const) {
  test(`${task}: several results files give one row each, equal to its own single run`, async () => {
    const gt = goldenPath('basic', 'gt', 'coco.json');
    const { dir, files } = await resultsFolder(task);
    const cache = ['--cache', join(dir, 'cache')];
    const many = await runCli(['eval', task, '--gt', gt, '--results', ...files, '--json', '--csv', join(dir, 'rows.csv'), ...cache]);
    assert.equal(many.code, 0, many.stderr);
    const json = JSON.parse(many.stdout) as { task: string; gt: string; results: (ReportJson & { file: string })[] };
    assert.equal(json.task, task);
    assert.deepEqual(
      json.results.map((r) => r.file),
      files,
    );
    const csv = readFileSync(join(dir, 'rows.csv'), 'utf8').trimEnd().split('\r\n');
    assert.equal(
      csv[0],
      [
        'file',
        ...(task === 'keypoints'
          ? ['AP', 'AP50', 'AP75', 'APm', 'APl', 'AR', 'AR50', 'AR75', 'ARm', 'ARl']
          : ['AP', 'AP50', 'AP75', 'APs', 'APm', 'APl', 'AR1', 'AR10', 'AR100', 'ARs', 'ARm', 'ARl']),
      ].join(','),
    );
    for (const [i, file] of files.entries()) {
      const single = await runCli(['eval', task, '--gt', gt, '--results', file, '--json', '--no-cache']);
      assert.equal(single.code, 0, single.stderr);
      const { file: named, ...row } = json.results[i]!;
      assert.equal(named, file);
      assert.deepEqual(row, JSON.parse(single.stdout));
      assert.deepEqual(csv[i + 1]!.split(',').slice(1).map(Number), row.stats);
    }
    // Against the official figures too: the basic fixture's own results.
    const golden = JSON.parse(readFileSync(goldenPath('basic', 'golden.json'), 'utf8')) as Record<string, ReportJson>;
    json.results[0]!.stats.forEach((v, i) => assert.ok(Math.abs(v - golden[task]!.stats[i]!) <= 1e-9));
  });
}

test('a pattern is expanded (sorted) and the table has a row per file', async () => {
  const { dir, files } = await resultsFolder('bbox');
  const out = await runCli(['eval', 'bbox', '--gt', goldenPath('basic', 'gt', 'coco.json'), '--results', join(dir, '?-bbox.json'), '--no-cache']);
  assert.equal(out.code, 0, out.stderr);
  const lines = out.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^results\s+AP\s+AP50\s+AP75\s+APs\s+APm\s+APl\s+AR1\s+AR10\s+AR100\s+ARs\s+ARm\s+ARl$/);
  assert.equal(lines.length, 3);
  assert.match(lines[1]!, new RegExp(`^${files[0]!.replace(/[.]/g, '\\.')}\\s+0\\.441\\s+0\\.699\\s+0\\.463\\s`));
  assert.ok(lines[2]!.startsWith(files[1]!));
  const none = await runCli(['eval', 'bbox', '--gt', goldenPath('basic', 'gt', 'coco.json'), '--results', join(dir, 'nothing-*.json')]);
  assert.equal(none.code, 1);
  assert.equal(none.stderr, `df2: eval bbox: --results: expected a file or a pattern that matches files, found ${join(dir, 'nothing-*.json')}\n`);
});

test('options that need one results file say so in one line', async () => {
  const { files } = await resultsFolder('bbox');
  for (const extra of [['--by', 'scale'], ['--errors'], ['--confusion'], ['--per-image', 'x.json']]) {
    const out = await runCli(['eval', 'bbox', '--gt', goldenPath('basic', 'gt', 'coco-attributes.json'), '--results', ...files, ...extra]);
    assert.equal(out.code, 1);
    assert.equal(out.stdout, '');
    assert.equal(out.stderr, `df2: eval bbox: ${extra[0]}: expected one results file and no --csv, found 2 results files\n`);
  }
});

test('the first run writes a snapshot, the next reads it; a corrupt one is rebuilt with one line; --no-cache leaves none', async () => {
  const dir = await tempDir('df2-snap-cli-');
  const gt = join(dir, 'gt.json');
  copyFileSync(goldenPath('basic', 'gt', 'coco.json'), gt);
  const past = new Date('2026-01-01T00:00:00Z');
  utimesSync(gt, past, past);
  const args = ['eval', 'segm', '--gt', gt, '--results', goldenPath('basic', 'results', 'segm_results.json'), '--json'];
  const cache = join(dir, 'cache');

  const none = await runCli([...args, '--no-cache'], { env: { XDG_CACHE_HOME: join(dir, 'xdg') } });
  assert.equal(none.code, 0, none.stderr);
  assert.throws(() => readdirSync(join(dir, 'xdg')), /ENOENT/);

  const first = await runCli([...args, '--cache', cache]);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(first.stderr, '');
  assert.equal(first.stdout, none.stdout);
  const [snapshot] = readdirSync(cache);
  assert.match(snapshot!, /\.df2snap$/);

  const second = await runCli([...args, '--cache', cache]);
  assert.deepEqual(second, first);
  // A snapshot written without --verify-cache has no content hash: a verifying run writes one, the next uses it.
  const hashless = await runCli([...args, '--cache', cache, '--verify-cache']);
  assert.equal(hashless.stdout, first.stdout);
  assert.match(
    hashless.stderr,
    /^df2: ground-truth snapshot \S+ not used: it has no content hash to verify \(it was written without --verify-cache\); rebuilding it\n$/,
  );
  assert.deepEqual(await runCli([...args, '--cache', cache, '--verify-cache']), first);

  const bytes = readFileSync(join(cache, snapshot!));
  bytes[bytes.length - 3] = bytes[bytes.length - 3]! ^ 1;
  writeFileSync(join(cache, snapshot!), bytes);
  const corrupt = await runCli([...args, '--cache', cache]);
  assert.equal(corrupt.code, 0);
  assert.equal(corrupt.stdout, first.stdout);
  assert.match(corrupt.stderr, /^df2: ground-truth snapshot \S+\.df2snap not used: it is corrupt \(its checksum does not match\); rebuilding it\n$/);

  // The default folder: $XDG_CACHE_HOME/df2.
  const xdg = await runCli(args, { env: { XDG_CACHE_HOME: join(dir, 'xdg') } });
  assert.equal(xdg.stdout, first.stdout);
  assert.deepEqual(readdirSync(join(dir, 'xdg', 'df2')), [snapshot]);
});
