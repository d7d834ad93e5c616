/**
 * `df2 import` end to end on real archives made here with Info-ZIP's `zip`
 * (ZipCrypto, and forced Zip64 with -fz) and 7-Zip (`7zz`, WinZip AES-256).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cp, mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli, type CliResult } from '../../testing/cli.js';
import { REPO_ROOT, filesUnder, goldenPath, tempDir } from '../../testing/paths.js';
import { startServer } from '../../server/server.js';
import { importArchives } from './extract.js';
import type { Worker } from 'node:worker_threads';

const PASSWORD = 'Df2-s3cret pass';
const STACK_LINE = /^\s+at /m;

/** The source tree every archive holds: a validation split (golden basic) and the retrieval JSON. */
async function sourceTree(): Promise<string> {
  const root = await tempDir('df2-import-src-');
  await cp(goldenPath('basic', 'dataset'), join(root, 'validation'), { recursive: true });
  await mkdir(join(root, 'json_for_validation'));
  await writeFile(join(root, 'json_for_validation', 'val_query.json'), JSON.stringify({ images: [], annotations: [] }));
  return root;
}

const SOURCE = await sourceTree();
const WORK = await tempDir('df2-import-');
const CREATED: string[] = [SOURCE, WORK];
/** A fresh output path (not yet there) in a temporary directory removed after the tests. */
async function newOut(): Promise<string> {
  const parent = await tempDir('df2-import-out-');
  CREATED.push(parent);
  return join(parent, 'data');
}
after(async () => {
  for (const dir of CREATED) await rm(dir, { recursive: true, force: true });
});
const PASSWORD_FILE = join(WORK, 'password.txt');
await writeFile(PASSWORD_FILE, `${PASSWORD}\n`);

function zipWith(args: string[], name: string, source = SOURCE, entries = ['validation', 'json_for_validation']): string {
  const archive = join(WORK, name);
  execFileSync(args[0]!, [...args.slice(1), archive, ...entries], { cwd: source, stdio: 'ignore' });
  return archive;
}

const ZIP_CRYPTO = zipWith(['zip', '-q', '-r', '-P', PASSWORD], 'zipcrypto.zip');
const ZIP64 = zipWith(['zip', '-q', '-r', '-fz', '-P', PASSWORD], 'zip64.zip');
const AES256 = zipWith(['7zz', 'a', '-tzip', `-p${PASSWORD}`, '-mem=AES256', '-bso0', '-bsp0'], 'aes256.zip');

async function assertSameTree(actual: string, expected: string): Promise<void> {
  const files = await filesUnder(expected);
  assert.deepEqual(await filesUnder(actual), files);
  for (const file of files) assert.ok((await readFile(join(actual, file))).equals(await readFile(join(expected, file))), file);
}

function assertPasswordNowhere(result: CliResult): void {
  assert.ok(!result.stdout.includes(PASSWORD) && !result.stderr.includes(PASSWORD), 'the password was printed');
  assert.doesNotMatch(result.stderr, STACK_LINE);
}

const importCli = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> => runCli(['import', ...args], { env: { DF2_ZIP_PASSWORD: '', ...env } });

for (const [kind, archive] of [
  ['ZipCrypto', ZIP_CRYPTO],
  ['forced Zip64', ZIP64],
  ['WinZip AES-256 (7-Zip)', AES256],
] as const) {
  test(`a ${kind} archive imports byte for byte, and reports as df2 validate does`, async () => {
    const out = await newOut();
    const result = await importCli([archive, '--out', out, '--password-file', PASSWORD_FILE]);
    assert.equal(result.code, 0, result.stderr);
    assertPasswordNowhere(result);
    await assertSameTree(out, SOURCE);
    const validate = await runCli(['validate', join(out, 'validation')]);
    assert.equal(result.stdout, validate.stdout);
    assert.match(result.stdout, /validation: valid: 120 files, 255 items, 0 errors/);
  });
}

test('--json prints what df2 validate --json prints; the password may come from DF2_ZIP_PASSWORD', async () => {
  const out = await newOut();
  const result = await importCli([ZIP_CRYPTO, '--out', out, '--json'], { DF2_ZIP_PASSWORD: PASSWORD });
  assert.equal(result.code, 0, result.stderr);
  assertPasswordNowhere(result);
  assert.equal(result.stderr, '', 'nothing but the JSON with --json');
  const validate = await runCli(['validate', join(out, 'validation'), '--json']);
  assert.equal(result.stdout, validate.stdout);
  assert.equal(JSON.parse(result.stdout).files, 120);
});

for (const [kind, archive] of [
  ['ZipCrypto', ZIP_CRYPTO],
  ['AES-256', AES256],
] as const) {
  test(`a wrong password on a ${kind} archive: one line naming the archive and entry, exit 1, nothing written`, async () => {
    const parent = await tempDir('df2-import-out-');
    const out = join(parent, 'data');
    const result = await importCli([archive, '--out', out], { DF2_ZIP_PASSWORD: 'not-the-password' });
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    const lines = result.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, result.stderr);
    assert.match(
      lines[0]!,
      new RegExp(`^df2: ${archive.replace(/[.]/g, '\\.')}: (validation|json_for_validation)/\\S+: expected the right password, found a wrong one`),
    );
    assert.ok(!result.stderr.includes('not-the-password'));
    assert.deepEqual(await readdir(parent), [], 'nothing written, not even the output directory');
  });
}

test('no password at all: one line asking for one, nothing written', async () => {
  const parent = await tempDir('df2-import-out-');
  const result = await importCli([ZIP_CRYPTO, '--out', join(parent, 'data')]);
  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    /^df2: .*zipcrypto\.zip: \S+: expected a password \(--password-file FILE, DF2_ZIP_PASSWORD, or typed on a terminal\), found none\n$/,
  );
  assert.deepEqual(await readdir(parent), []);
});

/** An entry's place in an archive made by Info-ZIP, from its local headers (file order). */
interface LocalSpan {
  name: string;
  header: number;
  nameEnd: number;
  data: number;
  dataEnd: number;
  /** After its data descriptor, if any. */
  end: number;
}

function localSpans(archive: Buffer): { spans: LocalSpan[]; centralDirectory: number; endRecord: number } {
  const spans: LocalSpan[] = [];
  let at = 0;
  while (archive.readUInt32LE(at) === 0x04034b50) {
    const flags = archive.readUInt16LE(at + 6);
    const nameLength = archive.readUInt16LE(at + 26);
    const data = at + 30 + nameLength + archive.readUInt16LE(at + 28);
    const dataEnd = data + archive.readUInt32LE(at + 18);
    const end = flags & 8 ? dataEnd + (archive.readUInt32LE(dataEnd) === 0x08074b50 ? 16 : 12) : dataEnd;
    spans.push({ name: archive.toString('utf8', at + 30, at + 30 + nameLength), header: at, nameEnd: at + 30 + nameLength, data, dataEnd, end });
    at = end;
  }
  assert.equal(archive.readUInt32LE(at), 0x02014b50, 'the central directory follows the last entry');
  return { spans, centralDirectory: at, endRecord: archive.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06])) };
}

/** Imports `bytes` (a cut archive); asserts exit 1, one line, and that the files are exactly `expected`'s (whole, no temporary file). */
async function importTruncated(bytes: Buffer, name: string, expectedFiles: string[]): Promise<string> {
  const archive = join(WORK, name);
  await writeFile(archive, bytes);
  const out = await newOut();
  const result = await importCli([archive, '--out', out, '--password-file', PASSWORD_FILE]);
  assert.equal(result.code, 1, result.stderr);
  assertPasswordNowhere(result);
  assert.equal(result.stdout, '');
  const lines = result.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, result.stderr);
  assert.ok(lines[0]!.startsWith(`df2: ${archive}: `), lines[0]);
  const written = await filesUnder(out);
  assert.deepEqual(written, [...expectedFiles].sort(), 'the whole entries before the cut are there, nothing after it, no temporary file');
  for (const file of written) assert.ok((await readFile(join(out, file))).equals(await readFile(join(SOURCE, file))), file);
  return lines[0]!.slice(`df2: ${archive}: `.length);
}

const TRUNCATED_AT_END = / \(a truncated download\?\); the (\d+) files before it were extracted$/;

test('a truncated download (no central directory): the whole entries before the cut are extracted and the entry it ends in is named', async () => {
  const bytes = await readFile(ZIP_CRYPTO);
  const { spans, centralDirectory, endRecord } = localSpans(bytes);
  const files = spans.filter((s) => !s.name.endsWith('/'));
  // Info-ZIP's zip -P sets bit 3 (a data descriptor) on each encrypted entry and fills the sizes in the header too.
  assert.equal(bytes.readUInt16LE(files[0]!.header + 6) & 9, 9);
  const victim = files[Math.floor(files.length / 2)]!;
  const before = files.slice(0, files.indexOf(victim)).map((s) => s.name);
  const count = (line: string): number => Number(TRUNCATED_AT_END.exec(line)?.[1]);

  // Inside an entry's data.
  let line = await importTruncated(bytes.subarray(0, victim.data + Math.floor((victim.dataEnd - victim.data) / 2)), 'cut-data.zip', before);
  assert.match(
    line,
    new RegExp(`^${victim.name}: expected ${victim.dataEnd - victim.data} bytes of data at byte ${victim.data}, found the end of the archive`),
  );
  assert.equal(count(line), before.length);

  // Inside a local header, before its name ends: the entry is named by the one before it.
  const previous = spans[spans.indexOf(victim) - 1]!;
  line = await importTruncated(bytes.subarray(0, victim.header + 20), 'cut-header.zip', before);
  assert.equal(
    line,
    `the entry after ${previous.name}: expected a local file header or the central directory at byte ${victim.header}, found the end of the archive (a truncated download?)`,
  );
  // Inside its extra field: the name is there.
  line = await importTruncated(bytes.subarray(0, victim.nameEnd + 3), 'cut-extra.zip', before);
  assert.equal(line, `${victim.name}: expected a whole local file header at byte ${victim.header}, found the end of the archive (a truncated download?)`);

  // Inside the central directory, or only the end record missing: every entry is extracted, and the archive is still refused.
  const all = files.map((s) => s.name);
  for (const [name, cut] of [
    ['cut-directory.zip', centralDirectory + Math.floor((endRecord - centralDirectory) / 2)],
    ['cut-end-record.zip', endRecord],
  ] as const) {
    line = await importTruncated(bytes.subarray(0, cut), name, all);
    assert.match(line, new RegExp(`^expected a whole central directory at byte ${centralDirectory}, with its end record, found the end of the archive`));
    assert.equal(count(line), all.length);
  }
  // Right after an entry: the central directory is missing altogether.
  line = await importTruncated(bytes.subarray(0, victim.header), 'cut-between.zip', before);
  assert.equal(
    line,
    `expected its central directory after ${previous.name}, found the end of the archive (a truncated download?); the ${before.length} files before it were extracted`,
  );

  // Inside the first file (the one the password is tried on): nothing is written at all.
  const parent = await tempDir('df2-import-out-');
  CREATED.push(parent);
  await writeFile(join(WORK, 'cut-first.zip'), bytes.subarray(0, files[0]!.data + 20));
  const first = await importCli([join(WORK, 'cut-first.zip'), '--out', join(parent, 'data'), '--password-file', PASSWORD_FILE]);
  assert.equal(first.code, 1);
  assert.match(
    first.stderr,
    new RegExp(
      `^df2: \\S+cut-first\\.zip: ${files[0]!.name}: expected \\d+ bytes of data at byte \\d+, found the end of the archive \\(a truncated download\\?\\); the 0 files before it were extracted\\n$`,
    ),
  );
  assert.deepEqual(await readdir(parent), []);
});

test('an empty file or one that is not a zip: one line, exit 1, nothing written', async () => {
  for (const [name, bytes, found] of [
    ['empty.zip', Buffer.alloc(0), 'an empty file'],
    ['not-a-zip.zip', Buffer.from('%PDF-1.7 not a zip at all\n'.repeat(40)), 'other bytes \\(not a zip, or a damaged one\\)'],
  ] as const) {
    const archive = join(WORK, name);
    await writeFile(archive, bytes);
    const parent = await tempDir('df2-import-out-');
    CREATED.push(parent);
    const result = await importCli([archive, '--out', join(parent, 'data'), '--password-file', PASSWORD_FILE]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, new RegExp(`^df2: \\S+${name.replace('.', '\\.')}: expected a zip archive, found ${found}\\n$`));
    assert.deepEqual(await readdir(parent), []);
  }
});

test('a truncated archive from a streaming writer (sizes only in data descriptors): entries are delimited by decoding them', async () => {
  // Info-ZIP's archive with the sizes and CRC-32 of every bit-3 local header zeroed, as a streaming writer leaves them.
  const bytes = Buffer.from(await readFile(ZIP_CRYPTO));
  const { spans } = localSpans(bytes);
  for (const span of spans) if (bytes.readUInt16LE(span.header + 6) & 8) bytes.fill(0, span.header + 14, span.header + 26);
  const files = spans.filter((s) => !s.name.endsWith('/'));
  const victim = files[Math.floor(files.length / 2)]!;
  const before = files.slice(0, files.indexOf(victim)).map((s) => s.name);
  const line = await importTruncated(bytes.subarray(0, victim.data + Math.floor((victim.dataEnd - victim.data) / 2)), 'cut-streamed.zip', before);
  assert.equal(line, `${victim.name}: expected a whole deflate stream, found the end of the archive (a truncated download?)`);
});

/** The offset of an entry's data in an archive, from its local header (found by its name). */
function dataOffset(archive: Buffer, name: string): number {
  const at = archive.indexOf(Buffer.from(name)) - 30;
  assert.equal(archive.readUInt32LE(at), 0x04034b50);
  return at + 30 + archive.readUInt16LE(at + 26) + archive.readUInt16LE(at + 28);
}

test('an entry with a bad CRC is named; the entries before it stay whole; no temporary file is left', async () => {
  // Stored (-0) and encrypted: a flipped byte of data decrypts to a wrong byte.
  const archivePath = zipWith(['zip', '-q', '-r', '-0', '-P', PASSWORD], 'stored.zip');
  const archive = await readFile(archivePath);
  const listing = execFileSync('unzip', ['-Z1', archivePath], { encoding: 'utf8' })
    .split('\n')
    .filter((n) => n && !n.endsWith('/'));
  const victim = listing[Math.floor(listing.length / 2)]!;
  archive[dataOffset(archive, victim) + 40]! ^= 0xff;
  const corrupt = join(WORK, 'bad-crc.zip');
  await writeFile(corrupt, archive);

  const out = await newOut();
  const result = await importCli([corrupt, '--out', out, '--password-file', PASSWORD_FILE]);
  assert.equal(result.code, 1);
  assertPasswordNowhere(result);
  assert.match(
    result.stderr,
    new RegExp(`^df2: .*bad-crc\\.zip: ${victim}: expected content with CRC-32 0x[0-9a-f]{8}, found 0x[0-9a-f]{8} \\(damaged data or a wrong password\\)\\n$`),
  );
  const written = await filesUnder(out);
  assert.ok(!written.includes(victim));
  assert.ok(
    written.every((file) => !file.includes('.tmp')),
    'no temporary file',
  );
  // Everything before the damaged entry is there and whole.
  const before = listing.slice(0, listing.indexOf(victim));
  assert.deepEqual(written, [...before].sort());
  for (const file of written) assert.ok((await readFile(join(out, file))).equals(await readFile(join(SOURCE, file))), file);
});

/** A bigger tree (about 25 MB of incompressible files) so that a run can be interrupted part way. */
async function bigArchive(): Promise<{ source: string; archive: string }> {
  const source = await tempDir('df2-import-big-');
  await cp(goldenPath('basic', 'dataset'), join(source, 'validation'), { recursive: true });
  await mkdir(join(source, 'extra'));
  for (let i = 0; i < 1200; i++) await writeFile(join(source, 'extra', `${String(i).padStart(6, '0')}.bin`), randomBytes(20_000));
  CREATED.push(source);
  return { source, archive: zipWith(['zip', '-q', '-r', '-P', PASSWORD], 'big.zip', source, ['validation', 'extra']) };
}
const BIG = await bigArchive();

test('an archive of one batch or less is decoded in the main thread, a bigger one by two decoding threads; byte for byte either way', async () => {
  const threads: number[] = [];
  const onWorker = (worker: Worker): void => void threads.push(worker.threadId);
  process.on('worker', onWorker);
  try {
    const cases = [
      [ZIP_CRYPTO, SOURCE, undefined, 0],
      [ZIP_CRYPTO, SOURCE, 2, 2],
      [BIG.archive, BIG.source, undefined, 2],
    ] as const;
    for (const [archive, source, decodeThreads, expectedThreads] of cases) {
      const out = await newOut();
      threads.length = 0;
      const result = await importArchives([archive], out, {
        password: () => Promise.resolve(Buffer.from(PASSWORD)),
        ...(decodeThreads !== undefined && { decodeThreads }),
      });
      assert.equal(threads.length, expectedThreads, `${archive}: threads started`);
      assert.equal(result.written, (await filesUnder(source)).length);
      await assertSameTree(out, source);
    }
  } finally {
    process.off('worker', onWorker);
  }
});

/** Starts an import, waits until `minFiles` files are out, then sends `signal`. */
async function interruptImport(
  out: string,
  signal: NodeJS.Signals,
  minFiles: number,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'df2.js'), 'import', BIG.archive, '--out', out, '--password-file', PASSWORD_FILE], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, sig) => resolve({ code, signal: sig })),
  );
  let finished = false;
  void exited.then(() => {
    finished = true;
  });
  while (!finished && (await filesUnder(out)).length < minFiles) await new Promise((r) => setTimeout(r, 5));
  if (!finished) child.kill(signal);
  const { code, signal: sig } = await exited;
  await new Promise((r) => setTimeout(r, 50));
  return { code, signal: sig, stdout, stderr };
}

test('resume after SIGKILL: the second run skips what is whole and finishes the rest; stale temporary files are swept', async () => {
  const out = await newOut();
  const first = await interruptImport(out, 'SIGKILL', 300);
  const afterKill = await filesUnder(out);
  // Files under their real names are whole (written to a temporary name, renamed after the CRC matched).
  for (const file of afterKill.filter((f) => !f.includes('.tmp'))) {
    assert.ok((await readFile(join(out, file))).equals(await readFile(join(BIG.source, file))), file);
  }
  // Damage one file and remove another, as a crash or a user might.
  const whole = afterKill.filter((f) => !f.includes('.tmp'));
  await writeFile(join(out, whole[0]!), 'damaged');
  await rm(join(out, whole[1]!));

  const second = await importCli([BIG.archive, '--out', out, '--password-file', PASSWORD_FILE]);
  assert.equal(second.code, 0, second.stderr);
  assertPasswordNowhere(second);
  await assertSameTree(out, BIG.source);
  const total = (await filesUnder(BIG.source)).length;
  const match = /imported (\d+) files \((\d+) written, (\d+) already there\)/.exec(second.stderr);
  assert.ok(match, second.stderr);
  assert.equal(Number(match[1]), total);
  assert.equal(Number(match[3]), whole.length - 2, `${first.signal}: the files whole after the kill, less the damaged and the removed one`);
});

test('Ctrl-C (SIGINT) stops with whole files only and no temporary file; running again completes', async () => {
  const out = await newOut();
  const interrupted = await interruptImport(out, 'SIGINT', 200);
  assert.ok(interrupted.code === 130 || interrupted.code === 0, `exit ${interrupted.code}`);
  if (interrupted.code === 130) assert.match(interrupted.stderr, /interrupted; the files written so far are whole/);
  assert.ok(!interrupted.stderr.includes(PASSWORD));
  const files = await filesUnder(out);
  assert.ok(
    files.every((f) => !f.includes('.tmp')),
    'no temporary file',
  );
  for (const file of files) assert.ok((await readFile(join(out, file))).equals(await readFile(join(BIG.source, file))), file);
  const again = await importCli([BIG.archive, '--out', out, '--password-file', PASSWORD_FILE]);
  assert.equal(again.code, 0, again.stderr);
  await assertSameTree(out, BIG.source);
});

test('an imported validation split converts to COCO as the source does, and the explorer indexes it', async () => {
  const out = await newOut();
  assert.equal((await importCli([ZIP_CRYPTO, '--out', out, '--password-file', PASSWORD_FILE])).code, 0);
  const cocoDir = await tempDir('df2-import-coco-');
  const fromImport = await runCli(['convert', 'coco', join(out, 'validation'), '--out', join(cocoDir, 'imported.json'), '--json']);
  const fromSource = await runCli(['convert', 'coco', join(SOURCE, 'validation'), '--out', join(cocoDir, 'source.json'), '--json']);
  assert.equal(fromImport.code, 0, fromImport.stderr);
  assert.equal(fromSource.code, 0, fromSource.stderr);
  assert.ok((await readFile(join(cocoDir, 'imported.json'))).equals(await readFile(join(cocoDir, 'source.json'))));

  const server = await startServer({ dataDirs: [join(out, 'validation')], port: 0, db: join(cocoDir, 'df2.sqlite'), workers: 0 });
  try {
    await server.ctx.indexer.idle();
    const splits = (await (await fetch(`${server.url}/api/splits`)).json()) as Array<Record<string, unknown>>;
    assert.equal(splits.length, 1);
    const images = (await (await fetch(`${server.url}/api/images?split=${String(splits[0]!.name)}`)).json()) as Record<string, unknown>;
    assert.equal(images.total, 120, JSON.stringify(images).slice(0, 300));
  } finally {
    await server.close();
  }
});

test('the archive is read through a file handle: memory stays far below the archive size', async () => {
  const out = await newOut();
  const archiveBytes = (await stat(BIG.archive)).size;
  const timeOutput = join(WORK, 'time.txt');
  execFileSync(
    '/usr/bin/time',
    ['-v', '-o', timeOutput, process.execPath, join(REPO_ROOT, 'bin', 'df2.js'), 'import', BIG.archive, '--out', out, '--password-file', PASSWORD_FILE],
    { stdio: 'ignore' },
  );
  const peakKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(await readFile(timeOutput, 'utf8'))![1]);
  // Node itself with df2's modules takes most of this; the archive is ~25 MB and is not held.
  assert.ok(peakKb * 1024 < 250e6, `peak RSS ${peakKb} kB for a ${archiveBytes}-byte archive`);
});

test('a test.zip-like archive (images only) imports and reports as df2 validate does on an images-only split', async () => {
  const source = await tempDir('df2-import-test-split-');
  CREATED.push(source);
  await cp(goldenPath('basic', 'dataset', 'image'), join(source, 'test', 'image'), { recursive: true });
  const archive = zipWith(['zip', '-q', '-r', '-P', PASSWORD], 'test.zip', source, ['test']);
  const out = await newOut();
  const result = await importCli([archive, '--out', out, '--password-file', PASSWORD_FILE]);
  assert.equal(result.code, 0, result.stderr);
  await assertSameTree(out, source);
  assert.equal(result.stdout, `${join(out, 'test')}: valid: 120 files, 0 items, 0 errors, 0 warnings\n`);
  assert.equal(result.stdout, (await runCli(['validate', join(out, 'test')])).stdout);
});
