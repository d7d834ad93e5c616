import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readImageSize } from './image-size.js';
import { InputError } from '../util/errors.js';
import { GOLDEN_FIXTURES, RELEASE_SAMPLE_DIR, goldenPath, tempDir } from '../testing/paths.js';

interface CocoImage {
  file_name: string;
  width: number;
  height: number;
}

test('sizes of every golden image equal the widths and heights of the official COCO ground truth', async () => {
  for (const fixture of GOLDEN_FIXTURES) {
    const coco = JSON.parse(await readFile(goldenPath(fixture, 'gt', 'coco.json'), 'utf8')) as { images: CocoImage[] };
    assert.ok(coco.images.length > 0);
    for (const image of coco.images) {
      const size = await readImageSize(goldenPath(fixture, 'dataset', 'image', image.file_name));
      assert.deepEqual(size, { width: image.width, height: image.height }, `${fixture} ${image.file_name}`);
    }
  }
});

test('the release sample stand-in is 468x624', async () => {
  assert.deepEqual(await readImageSize(join(RELEASE_SAMPLE_DIR, 'image', '000001.jpg')), { width: 468, height: 624 });
});

/** A JPEG segment (marker + length + payload) of `payload` bytes. */
function segment(marker: number, payload: number): Buffer {
  const bytes = Buffer.alloc(4 + payload, 0x20);
  bytes[0] = 0xff;
  bytes[1] = marker;
  bytes.writeUInt16BE(payload + 2, 2);
  return bytes;
}

test('a size far into the file (after large APP/COM blocks) is found by reading more', async () => {
  const dir = await tempDir();
  const jpeg = await readFile(join(RELEASE_SAMPLE_DIR, 'image', '000001.jpg'));
  // Three 60 KB comment blocks right after SOI push the SOF marker past 180 KB.
  const padded = Buffer.concat([jpeg.subarray(0, 2), segment(0xfe, 60000), segment(0xe1, 60000), segment(0xfe, 60000), jpeg.subarray(2)]);
  const file = join(dir, 'padded.jpg');
  await writeFile(file, padded);
  assert.deepEqual(await readImageSize(file), { width: 468, height: 624 });
});

test('PNG sizes come from the IHDR chunk', async () => {
  const dir = await tempDir();
  const png = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(png, 0);
  png.writeUInt32BE(13, 8);
  png.write('IHDR', 12, 'latin1');
  png.writeUInt32BE(321, 16);
  png.writeUInt32BE(123, 20);
  const file = join(dir, 'a.png');
  await writeFile(file, png);
  assert.deepEqual(await readImageSize(file), { width: 321, height: 123 });
});

test('files that are not readable JPEG/PNG images throw one-line InputErrors', async () => {
  const dir = await tempDir();
  const jpeg = await readFile(join(RELEASE_SAMPLE_DIR, 'image', '000001.jpg'));
  const cases: [string, Buffer | 'dir' | 'none', RegExp][] = [
    ['missing.jpg', 'none', /no such file/],
    ['empty.jpg', Buffer.alloc(0), /an empty file/],
    ['text.jpg', Buffer.from('{"not": "an image"}'), /another kind of file/],
    ['gif.jpg', Buffer.from('GIF89a\x10\x00\x10\x00\x00\x00\x00', 'latin1'), /another kind of file/],
    ['cut.jpg', jpeg.subarray(0, 30), /damaged JPEG|without a size/],
    ['folder.jpg', 'dir', /a directory|EISDIR/],
  ];
  for (const [name, content, found] of cases) {
    const file = join(dir, name);
    if (content === 'dir') await mkdir(file);
    else if (content !== 'none') await writeFile(file, content);
    await assert.rejects(readImageSize(file), (err: unknown) => {
      assert.ok(err instanceof InputError, name);
      assert.equal(err.file, file);
      assert.match(err.message, /expected a readable JPEG or PNG image, found /, name);
      assert.match(err.message, found, name);
      assert.doesNotMatch(err.message, /\n/);
      return true;
    });
  }
});
