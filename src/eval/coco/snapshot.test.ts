/**
 * The ground-truth snapshot cache: the golden figures from a snapshot as
 * from the JSON, and every snapshot that must not be used (stale, racily
 * clean, truncated, corrupt, foreign, another content hash) rebuilt with a
 * line saying why; two processes writing at once; the size cap. Every test
 * uses its own temporary cache folder.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, readFileSync, readdirSync, statSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { GOLDEN_COCO_RUNS, GOLDEN_FIXTURES, goldenPath, tempDir } from '../../testing/paths.js';
import { evaluateLoaded } from './evaluate.js';
import type { CocoGroundTruth } from './ground-truth.js';
import { loadCocoGroundTruth, loadCocoPair } from './load.js';
import type { CocoTask } from './params.js';
import { loadCocoResults } from './load.js';
import { SNAPSHOT_SUFFIX, enforceCap, readSnapshot, snapshotPath, statIdentity, writeSnapshot } from './snapshot.js';

const TOLERANCE = 1e-9;
const PAST = new Date('2026-01-01T00:00:00Z');

/** Whether the ground truth came from a snapshot: its arrays are views of one buffer, the JSON loader's each have their own. */
const fromSnapshot = (gt: CocoGroundTruth): boolean => gt.annotations.id.buffer === gt.annotations.bbox.buffer;

/** A copy of a fixture file whose mtime is well in the past (not racily clean). */
async function oldCopy(source: string, name = 'gt.json'): Promise<string> {
  const file = join(await tempDir('df2-snap-gt-'), name);
  copyFileSync(source, file);
  utimesSync(file, PAST, PAST);
  return file;
}

async function loadWithNotes(file: string, tasks: CocoTask[], dir: string, verify = false): Promise<{ gt: CocoGroundTruth; notes: string[] }> {
  const notes: string[] = [];
  const gt = await loadCocoGroundTruth(file, tasks, { cache: { dir, verify, onNote: (line) => notes.push(line) } });
  return { gt, notes };
}

for (const fixture of GOLDEN_FIXTURES) {
  const golden = JSON.parse(readFileSync(goldenPath(fixture, 'golden.json'), 'utf8')) as Record<
    string,
    { stats: number[]; per_category_ap: { category_id: number; ap: number }[] }
  >;
  for (const [name, task, gtFile] of GOLDEN_COCO_RUNS) {
    test(`${fixture}: ${name} from a snapshot equals the official figures, as from the JSON`, async () => {
      const dir = await tempDir('df2-snap-cache-');
      const gtPath = goldenPath(fixture, 'gt', gtFile);
      const resultsPath = goldenPath(fixture, 'results', `${task}_results.json`);
      const extraTasks: CocoTask[] = task === 'segm' ? ['bbox'] : [];
      const figures = [];
      for (const round of ['json', 'snapshot'] as const) {
        const notes: string[] = [];
        const { gt, results } = await loadCocoPair(task, gtPath, resultsPath, { extraTasks, cache: { dir, onNote: (line) => notes.push(line) } });
        assert.deepEqual(notes, []);
        assert.equal(fromSnapshot(gt), round === 'snapshot', `${round} round`);
        const result = evaluateLoaded(task, gt, results);
        const expected = golden[name]!;
        result.stats.forEach((v, i) => assert.ok(Math.abs(v - expected.stats[i]!) <= TOLERANCE, `${round} stats[${i}]: ${v} vs ${expected.stats[i]}`));
        result.perCategoryAp.forEach((c, i) => assert.ok(Math.abs(c.ap - expected.per_category_ap[i]!.ap) <= TOLERANCE, `${round} AP of ${c.categoryId}`));
        figures.push(result);
      }
      assert.deepEqual(figures[1]!.stats, figures[0]!.stats);
      assert.deepEqual(figures[1]!.perCategoryAp, figures[0]!.perCategoryAp);
      assert.equal(readdirSync(dir).length, 1, 'one snapshot, no temporary file');
    });
  }
}

test('a snapshot holds what the JSON loader gives, field by field (segm with bbox)', async () => {
  const dir = await tempDir('df2-snap-cache-');
  const file = goldenPath('quirks', 'gt', 'coco-attributes.json');
  const { gt: fromJson } = await loadWithNotes(file, ['segm', 'bbox'], dir);
  const { gt: cached } = await loadWithNotes(file, ['segm', 'bbox'], dir);
  assert.ok(fromSnapshot(cached));
  const plain = (gt: CocoGroundTruth): unknown =>
    JSON.parse(
      JSON.stringify({ ...gt, annotations: { ...gt.annotations, segmentations: null } }, (_k, v: unknown) =>
        ArrayBuffer.isView(v) ? Array.from(v as Uint8Array) : v,
      ),
    );
  assert.deepEqual(plain(cached), plain(fromJson));
  assert.deepEqual(cached.annotations.segmentations, []);
});

test('a touched ground-truth file makes its snapshot stale: rebuilt, with one line saying why', async () => {
  const dir = await tempDir('df2-snap-cache-');
  const file = await oldCopy(goldenPath('basic', 'gt', 'coco.json'));
  assert.deepEqual((await loadWithNotes(file, ['bbox'], dir)).notes, []);
  assert.ok(fromSnapshot((await loadWithNotes(file, ['bbox'], dir)).gt));
  utimesSync(file, PAST, new Date(PAST.getTime() + 1000)); // same bytes, another mtime
  const stale = await loadWithNotes(file, ['bbox'], dir);
  assert.equal(stale.notes.length, 1);
  assert.match(stale.notes[0]!, /snapshot .* not used: it is stale/);
  assert.ok(!fromSnapshot(stale.gt));
  const again = await loadWithNotes(file, ['bbox'], dir);
  assert.deepEqual(again.notes, []);
  assert.ok(fromSnapshot(again.gt), 'the rebuilt snapshot is used');
});

test('a file modified within the snapshot write time granule is racily clean: not written, not trusted', async () => {
  const dir = await tempDir('df2-snap-cache-');
  const file = await oldCopy(goldenPath('basic', 'gt', 'coco.json'));
  // An mtime in the future stands for "not older than the snapshot's write time".
  const future = new Date(Date.now() + 3600_000);
  utimesSync(file, future, future);
  const first = await loadWithNotes(file, ['bbox'], dir);
  assert.equal(first.notes.length, 1);
  assert.match(first.notes[0]!, /not written: .*racily clean/);
  assert.deepEqual(readdirSync(dir), []);
  // A snapshot whose write time is not later than the file's mtime (same granule) is not trusted either.
  utimesSync(file, PAST, PAST);
  await loadWithNotes(file, ['bbox'], dir);
  const path = snapshotPath(dir, file, ['bbox']);
  const bytes = readFileSync(path);
  bytes.writeBigUInt64LE(BigInt(statIdentity(file)!.mtimeNs), 24); // the write time field (not under the checksum)
  writeFileSync(path, bytes);
  const racy = await loadWithNotes(file, ['bbox'], dir);
  assert.equal(racy.notes.length, 1);
  assert.match(racy.notes[0]!, /not used: .*racily clean/);
  assert.ok(!fromSnapshot(racy.gt));
  assert.ok(fromSnapshot((await loadWithNotes(file, ['bbox'], dir)).gt), 'rewritten with a proper write time');
});

test('a truncated snapshot is rebuilt', async () => {
  const dir = await tempDir('df2-snap-cache-');
  const file = await oldCopy(goldenPath('basic', 'gt', 'coco.json'));
  await loadWithNotes(file, ['keypoints'], dir);
  const path = snapshotPath(dir, file, ['keypoints']);
  for (const size of [statSync(path).size - 1, 40, 0]) {
    truncateSync(path, size);
    const { gt, notes } = await loadWithNotes(file, ['keypoints'], dir);
    assert.equal(notes.length, 1);
    assert.match(notes[0]!, /not used: it is truncated/);
    assert.ok(!fromSnapshot(gt));
    assert.ok(fromSnapshot((await loadWithNotes(file, ['keypoints'], dir)).gt));
  }
});

test('a snapshot with any byte changed is corrupt and rebuilt', async () => {
  const dir = await tempDir('df2-snap-cache-');
  const file = await oldCopy(goldenPath('quirks', 'gt', 'coco.json'));
  await loadWithNotes(file, ['segm'], dir);
  const path = snapshotPath(dir, file, ['segm']);
  const original = readFileSync(path);
  // The magic, the version, the checksum, the header and bytes of the body.
  for (const at of [0, 9, 40, 100, Math.floor(original.length / 2), original.length - 1]) {
    const bytes = Buffer.from(original);
    bytes[at] = bytes[at]! ^ 0x10;
    writeFileSync(path, bytes);
    utimesSync(path, new Date(), new Date());
    const { gt, notes } = await loadWithNotes(file, ['segm'], dir);
    assert.equal(notes.length, 1, `byte ${at}`);
    assert.match(notes[0]!, /not used: (it is corrupt|it is not a df2 snapshot|it has format version)/, `byte ${at}`);
    assert.ok(!fromSnapshot(gt));
    assert.deepEqual(readFileSync(path).length, original.length);
  }
});

test("another file's snapshot is foreign and not used", async () => {
  const dir = await tempDir('df2-snap-cache-');
  const a = await oldCopy(goldenPath('basic', 'gt', 'coco.json'), 'a.json');
  const b = await oldCopy(goldenPath('quirks', 'gt', 'coco.json'), 'b.json');
  await loadWithNotes(a, ['bbox'], dir);
  copyFileSync(snapshotPath(dir, a, ['bbox']), snapshotPath(dir, b, ['bbox']));
  const { gt, notes } = await loadWithNotes(b, ['bbox'], dir);
  assert.equal(notes.length, 1);
  assert.match(notes[0]!, /not used: it is foreign \(a snapshot of .*a\.json\)/);
  assert.ok(!fromSnapshot(gt));
  const expected = await loadCocoGroundTruth(b, ['bbox']);
  assert.deepEqual(Array.from(gt.annotations.bbox), Array.from(expected.annotations.bbox));
});

test('--verify-cache compares the content hash', async () => {
  const dir = await tempDir('df2-snap-cache-');
  const file = await oldCopy(goldenPath('basic', 'gt', 'coco.json'));
  await loadWithNotes(file, ['bbox'], dir);
  const hashless = await loadWithNotes(file, ['bbox'], dir, true);
  assert.equal(hashless.notes.length, 1);
  assert.match(hashless.notes[0]!, /not used: it has no content hash to verify/);
  const verified = await loadWithNotes(file, ['bbox'], dir, true);
  assert.deepEqual(verified.notes, []);
  assert.ok(fromSnapshot(verified.gt));
  // A snapshot made from other bytes under the same identity (as when a tool restores times after an edit).
  const gt = await loadCocoGroundTruth(file, ['bbox']);
  writeSnapshot({ ...gt, contentSha256: '0'.repeat(64) }, statIdentity(file)!, { dir });
  assert.ok(fromSnapshot((await loadWithNotes(file, ['bbox'], dir)).gt), 'trusted by its identity');
  const checked = await loadWithNotes(file, ['bbox'], dir, true);
  assert.equal(checked.notes.length, 1);
  assert.match(checked.notes[0]!, /content hash differs/);
  assert.ok(!fromSnapshot(checked.gt));
});

test('two processes writing the same snapshot at once leave one whole file', async () => {
  const dir = await tempDir('df2-snap-cache-');
  const file = await oldCopy(goldenPath('quirks', 'gt', 'coco.json'));
  const script = `
    const { loadCocoGroundTruth } = await import(${JSON.stringify(new URL('./load.js', import.meta.url).href)});
    await new Promise((r) => setTimeout(r, Math.max(0, Number(process.env.DF2_TEST_START) - Date.now())));
    await loadCocoGroundTruth(${JSON.stringify(file)}, ['segm'], { cache: { dir: ${JSON.stringify(dir)}, onNote: (l) => console.error(l) } });`;
  const scriptFile = join(await tempDir('df2-snap-script-'), 'load.mjs');
  writeFileSync(scriptFile, script);
  for (let round = 0; round < 3; round++) {
    const start = String(Date.now() + 400);
    const runs = [0, 1].map(
      () =>
        new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
          const child = spawn(process.execPath, [scriptFile], {
            stdio: ['ignore', 'ignore', 'pipe'],
            env: { ...process.env, DF2_TEST_START: start },
          });
          let stderr = '';
          child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
          child.on('error', reject);
          child.on('close', (code) => resolve({ code, stderr }));
        }),
    );
    for (const run of await Promise.all(runs)) {
      assert.equal(run.code, 0, run.stderr);
      // Each says once that the snapshot is stale when the file was touched since the last round.
      assert.match(run.stderr, round === 0 ? /^$/ : /^(|df2: ground-truth snapshot \S+ not used: it is stale [^\n]*\n)$/);
    }
    assert.deepEqual(readdirSync(dir), [snapshotPath(dir, file, ['segm']).slice(dir.length + 1)], 'one snapshot, no temporary file');
    const { gt, notes } = await loadWithNotes(file, ['segm'], dir);
    assert.deepEqual(notes, []);
    assert.ok(fromSnapshot(gt));
    const results = await loadCocoResults(goldenPath('quirks', 'results', 'segm_results.json'), gt, ['segm']);
    const expected = JSON.parse(readFileSync(goldenPath('quirks', 'golden.json'), 'utf8')) as Record<string, { stats: number[] }>;
    evaluateLoaded('segm', gt, results).stats.forEach((v, i) => assert.ok(Math.abs(v - expected.segm!.stats[i]!) <= TOLERANCE));
    if (round < 2) utimesSync(file, PAST, new Date(PAST.getTime() + 1000 * (round + 1))); // stale: both rebuild it next round
  }
});

test('the folder is kept under its size cap, least recently used snapshots removed first', async () => {
  const dir = await tempDir('df2-snap-cache-');
  const files = await Promise.all(['a', 'b', 'c'].map((n) => oldCopy(goldenPath('basic', 'gt', 'coco.json'), `${n}.json`)));
  const [a, b, c] = files as [string, string, string];
  await loadWithNotes(a, ['bbox'], dir);
  const one = statSync(snapshotPath(dir, a, ['bbox'])).size;
  const cap = one * 2 + 10;
  const load = (file: string): Promise<CocoGroundTruth> => loadCocoGroundTruth(file, ['bbox'], { cache: { dir, maxBytes: cap } });
  const ago = (s: number): Date => new Date(Date.now() - s * 1000);
  await load(b);
  utimesSync(snapshotPath(dir, a, ['bbox']), ago(20), ago(20));
  utimesSync(snapshotPath(dir, b, ['bbox']), ago(10), ago(10));
  assert.ok(fromSnapshot(await load(a)), 'a is used again: now the most recently used');
  await load(c);
  const left = readdirSync(dir).sort();
  assert.deepEqual(left, [snapshotPath(dir, a, ['bbox']), snapshotPath(dir, c, ['bbox'])].map((p) => p.slice(dir.length + 1)).sort());
  assert.ok(left.every((name) => name.endsWith(SNAPSHOT_SUFFIX)));
  // A snapshot larger than the cap is not written at all.
  const notes: string[] = [];
  await loadCocoGroundTruth(b, ['bbox'], { cache: { dir, maxBytes: one - 1, onNote: (line) => notes.push(line) } });
  assert.match(notes[0] ?? '', /not written: .*more than the cache's cap/);
  assert.deepEqual(readdirSync(dir), [], 'the folder is brought under the smaller cap: a and c go');
  // DF2_CACHE_MAX_MB=0 empties the folder at the next write.
  await loadCocoGroundTruth(a, ['bbox'], { cache: { dir } });
  assert.equal(readdirSync(dir).length, 1);
  const saved = process.env.DF2_CACHE_MAX_MB;
  process.env.DF2_CACHE_MAX_MB = '0';
  try {
    await loadCocoGroundTruth(a, ['keypoints'], { cache: { dir } });
  } finally {
    if (saved === undefined) delete process.env.DF2_CACHE_MAX_MB;
    else process.env.DF2_CACHE_MAX_MB = saved;
  }
  assert.deepEqual(readdirSync(dir), []);
  await loadCocoGroundTruth(a, ['bbox'], { cache: { dir } });
  enforceCap(dir, 0);
  assert.deepEqual(readdirSync(dir), []);
  assert.equal(await readSnapshot(a, ['bbox'], { dir }), undefined);
});
