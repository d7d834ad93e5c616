import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureDemoData } from './demo.js';
import { runCli } from '../testing/cli.js';
import { tempDir } from '../testing/paths.js';

test('the demo data is what df2 synth and df2 convert write, made in-process and reused', async () => {
  const cache = await tempDir('df2-demo-');
  try {
    const lines: string[] = [];
    const data = await ensureDemoData(cache, { images: 6, seed: 5, log: (line) => lines.push(line) });
    assert.equal(lines.length, 2);
    for (const file of Object.values(data.resultsFiles)) assert.ok((await stat(file)).size > 2, file);

    // The same steps through the command line give the same bytes.
    const cliSplit = join(cache, 'cli-split');
    assert.equal((await runCli(['synth', '--out', cliSplit, '--images', '6', '--seed', '5', '--predictions', '--json'])).code, 0);
    assert.deepEqual(await readFile(join(cliSplit, 'annos', '000006.json')), await readFile(join(data.splitDir, 'annos', '000006.json')));
    const cliCoco = join(cache, 'cli-coco.json');
    assert.equal((await runCli(['convert', 'coco', data.splitDir, '--out', cliCoco, '--landmarks', 'visible', '--attributes', '--json'])).code, 0);
    assert.deepEqual(await readFile(cliCoco), await readFile(join(data.gtDir, 'coco-visible.json')));
    const query = join(cache, 'q.json');
    const gallery = join(cache, 'g.json');
    assert.equal((await runCli(['convert', 'retrieval', data.splitDir, '--query', query, '--gallery', gallery, '--attributes', '--json'])).code, 0);
    assert.deepEqual(await readFile(query), await readFile(join(data.gtDir, 'query.json')));
    assert.deepEqual(await readFile(gallery), await readFile(join(data.gtDir, 'gallery.json')));
    const coco = JSON.parse(await readFile(join(data.gtDir, 'coco.json'), 'utf8')) as { images: unknown[]; annotations: { scale?: number }[] };
    assert.equal(coco.images.length, 6);
    assert.ok(coco.annotations.every((a) => a.scale !== undefined));

    // Made once: a second call finds the marker and does no work.
    const again: string[] = [];
    assert.deepEqual(await ensureDemoData(cache, { images: 6, seed: 5, log: (line) => again.push(line) }), data);
    assert.deepEqual(again, []);
  } finally {
    await rm(cache, { recursive: true, force: true });
  }
});
