/**
 * The published package: `npm pack` gives a tarball that, installed into an
 * empty folder, runs the CLI and serves a TypeScript program through its
 * `exports` and types. Neither the network nor the npm cache is used, so it
 * passes on a machine that never installed df2 (`npm_config_cache=$(mktemp -d)`). Also: the library's entry points load without the
 * native modules (canvas, SQLite), which only pictures and the server need.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { REPO_ROOT, goldenPath, tempDir } from './testing/paths.js';

const run = promisify(execFile);
const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  version: string;
  exports: Record<string, string | { types: string; default: string }>;
};

interface PackResult {
  filename: string;
  files: { path: string }[];
}

/** What df2 runs as: the npm beside this node (Node 24's under .ci/run), never the network (nor the npm cache: see below). */
const npm = (args: string[], cwd: string, loglevel = 'error') =>
  run('npm', [...args, '--offline', '--no-audit', '--no-fund', `--loglevel=${loglevel}`], { cwd, maxBuffer: 64 << 20 });

test('the packed tarball installs into an empty folder and runs the CLI and a TypeScript consumer', { timeout: 240_000 }, async () => {
  const root = await tempDir('df2-package-');
  try {
    // dist/ is already built (npm test builds before running); prepack would rebuild it under the other tests' feet.
    const started = performance.now();
    const { stdout } = await npm(['pack', '--ignore-scripts', '--json', '--pack-destination', root], REPO_ROOT);
    const [pack] = JSON.parse(stdout) as PackResult[];
    assert.ok(pack);
    const files = pack.files.map((f) => f.path);
    for (const wanted of [
      'LICENSE',
      'README.md',
      'CHANGELOG.md',
      'bin/df2.js',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/cli/main.js',
      'dist/web/main.js',
      'dist/schema/landmarks.json',
      'src/web/public/index.html',
    ]) {
      assert.ok(files.includes(wanted), `${wanted} in the tarball`);
    }
    for (const entry of Object.values(manifest.exports)) {
      for (const file of typeof entry === 'string' ? [entry] : [entry.types, entry.default])
        assert.ok(files.includes(file.replace(/^\.\//, '')), `${file} in the tarball`);
    }
    const unwanted = files.filter((f) => /\.test\.|\.map$|^fixtures\/|^dist\/(testing|bench)\/|^src\/(?!web\/public\/)|test-support/.test(f));
    assert.deepEqual(unwanted, []);

    // A real install of the tarball with the dependencies this checkout's lock file resolved, copied from its
    // node_modules: no registry and no npm cache needed (a fresh machine with an empty cache passes), and the
    // native builds (better-sqlite3, canvas) are this checkout's, for the same Node, instead of minutes of compiling.
    // The consumer allows better-sqlite3's install script as docs/library.md tells users to: npm 11 then warns about nothing.
    const app = join(root, 'app');
    await mkdir(app);
    await writeFile(
      join(app, 'package.json'),
      JSON.stringify({ name: 'df2-consumer', private: true, type: 'module', allowScripts: { 'better-sqlite3': true } }),
    );
    await copyProductionDependencies(REPO_ROOT, app);
    const install = await npm(['install', join(root, pack.filename)], app, 'warn');
    assert.equal(install.stderr, '', 'npm install prints no warning');
    assert.match(install.stdout, /added 1 package/, 'every dependency the tarball declares was already satisfied');
    // npm ls exits non-zero when a dependency of the tarball is missing or outside its range.
    await npm(['ls', '--all', '--omit=dev'], app);
    const installed = join(app, 'node_modules');
    const installSeconds = (performance.now() - started) / 1000;

    const df2 = async (...args: string[]): Promise<string> => (await run(join(installed, '.bin', 'df2'), args, { cwd: app, maxBuffer: 64 << 20 })).stdout;
    assert.match(await df2('--help'), /Commands:[\s\S]*validate[\s\S]*convert[\s\S]*eval[\s\S]*render[\s\S]*report[\s\S]*serve/);
    assert.equal((await df2('--version')).trim(), manifest.version);
    const split = goldenPath('basic', 'dataset');
    assert.match(await df2('validate', split), /: valid: 120 files/);
    const coco = join(root, 'coco.json');
    await df2('convert', 'coco', split, '--out', coco, '--json');
    assert.deepEqual(await readFile(coco), await readFile(goldenPath('basic', 'gt', 'coco.json')));
    const golden = JSON.parse(await readFile(goldenPath('basic', 'golden.json'), 'utf8')) as Record<string, { stats: number[] }>;
    const segm = JSON.parse(
      await df2('eval', 'segm', '--gt', coco, '--results', goldenPath('basic', 'results', 'segm_results.json'), '--json', '--cache', join(root, 'cache')),
    ) as {
      stats: number[];
    };
    assertClose(segm.stats, golden.segm!.stats);
    const pictures = join(root, 'pictures');
    assert.equal((await df2('render', split, '1', '--out', pictures, '--quiet')).trim(), '');
    assert.deepEqual(await readdir(pictures), ['000001.png']);
    const db = join(root, 'df2.sqlite');
    await df2('users', 'add', 'alice', '--db', db, '--json');
    assert.match(await df2('users', 'list', '--db', db), /alice/);
    assert.ok(existsSync(join(installed, 'df2', 'src', 'web', 'public', 'index.html')), 'the browser app is shipped');

    // A TypeScript program against the installed package's types, compiled with tsc and run.
    await writeFile(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          outDir: 'out',
          skipLibCheck: true,
          types: ['node'],
          typeRoots: [join(REPO_ROOT, 'node_modules', '@types')],
        },
        files: ['consumer.ts'],
      }),
    );
    await writeFile(join(app, 'consumer.ts'), consumerProgram(root));
    const tsc = await run(process.execPath, [join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', app], { cwd: app }).catch(
      (err: { stdout?: string }) => err,
    );
    assert.ok(!(tsc instanceof Error), `tsc: ${tsc.stdout ?? ''}`);
    const out = JSON.parse((await run(process.execPath, [join(app, 'out', 'consumer.js')], { cwd: app })).stdout) as ConsumerOutput;
    assertClose(out.bbox, golden.bbox!.stats);
    assertClose(out.bboxFromConverted, golden.bbox!.stats);
    const retrieval = golden.retrieval as unknown as Record<string, number>;
    for (const k of ['top1', 'top5', 'top10', 'top15', 'top20']) assert.ok(Math.abs(out.retrieval[k]! - retrieval[k]!) <= 1e-9, k);
    const goldenCoco = JSON.parse(await readFile(goldenPath('basic', 'gt', 'coco.json'), 'utf8')) as { images: unknown[]; annotations: unknown[] };
    assert.deepEqual([out.images, out.items], [goldenCoco.images.length, goldenCoco.annotations.length]);
    assert.deepEqual(out.byOcclusion.sort(), ['1', '2', '3']);
    assert.equal(out.categories, 13);
    assert.match(out.reportStart, /^<!DOCTYPE html>/i);
    assert.equal(out.figuresAp, out.bbox[0], 'figures.ap is stats[0]');

    // The public API is exactly docs/library.md's list: every listed name compiles from its entry point,
    // each entry point exports nothing else, and an internal name or entry does not compile.
    checkPublicApi(app);
    console.log(`package test: pack + install ${installSeconds.toFixed(1)} s (tarball ${pack.files.length} files)`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

/**
 * Copies into `app/node_modules` every package the lock file of `repo` installs outside its dev dependencies
 * (optional ones only where present: the platform's own native build), at the same place in the tree, and
 * links their bins as npm does. npm then finds the tarball's dependencies satisfied and fetches nothing.
 */
async function copyProductionDependencies(repo: string, app: string): Promise<void> {
  const lock = JSON.parse(await readFile(join(repo, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === '' || entry.dev === true || !existsSync(join(repo, path))) continue;
    await cp(join(repo, path), join(app, path), { recursive: true });
  }
  // npm links the copied packages' commands itself (its own rules for their names and paths), with no script and no
  // registry: a command left unlinked makes the install below look the package up again, which --offline cannot.
  await npm(['rebuild', '--ignore-scripts'], app);
}

interface ConsumerOutput {
  figuresAp: number;
  bbox: number[];
  bboxFromConverted: number[];
  retrieval: Record<string, number>;
  images: number;
  items: number;
  byOcclusion: string[];
  categories: number;
  reportStart: string;
}

function assertClose(actual: readonly number[], expected: readonly number[]): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) <= 1e-9, `stats[${i}]: ${v} vs ${expected[i]}`));
}

/** The consumer: imports from the root and from subpaths, typed; prints what the test checks. */
function consumerProgram(root: string): string {
  const path = (...parts: string[]): string => JSON.stringify(goldenPath('basic', ...parts));
  return `import { readSplit, convertSplitToCoco, CATEGORIES, reportPage, type ImageRecord } from 'df2';
import { evaluateCocoFiles, evaluateCocoFilesByAttribute, evaluateRetrievalFiles, type CocoEvalResult } from 'df2/eval';
import { rleArea, rleFromBox } from 'df2/mask';
import { checkAnnotation } from 'df2/schema';

let images = 0;
let items = 0;
for await (const record of readSplit(${path('dataset')}, { imageSizes: false })) {
  const typed: ImageRecord = record;
  images++;
  items += typed.items.length;
}
const checked = checkAnnotation('000001.json', { source: 'user', pair_id: 1 });
if (checked.problems.length === 0) throw new Error('an annotation without items should have a problem');
if (rleArea(rleFromBox(0, 0, 4, 3, 10, 10)) !== 12) throw new Error('rleFromBox area');

const bbox: CocoEvalResult = await evaluateCocoFiles('bbox', ${path('gt', 'coco.json')}, ${path('results', 'bbox_results.json')});
const converted = ${JSON.stringify(join(root, 'consumer-coco.json'))};
await convertSplitToCoco(${path('dataset')}, converted, { attributes: true });
const { result, by } = await evaluateCocoFilesByAttribute('bbox', converted, ${path('results', 'bbox_results.json')}, ['occlusion']);
const retrieval = await evaluateRetrievalFiles(${path('retrieval', 'query.json')}, ${path('retrieval', 'gallery.json')}, ${path('retrieval', 'results.json')});
const page = await reportPage({ gtFile: converted, tasks: [{ task: 'bbox', resultsFile: ${path('results', 'bbox_results.json')} }] });
console.log(JSON.stringify({
  figuresAp: bbox.figures.ap,
  bbox: bbox.stats,
  bboxFromConverted: result.stats,
  retrieval: { top1: retrieval.top1, top5: retrieval.top5, top10: retrieval.top10, top15: retrieval.top15, top20: retrieval.top20 },
  images,
  items,
  byOcclusion: Object.keys(by?.occlusion ?? {}),
  categories: CATEGORIES.length,
  reportStart: page.slice(0, 40),
}));
`;
}

interface EntryApi {
  values: string[];
  types: string[];
}

/**
 * docs/library.md's "The public API": per entry point, its functions, classes and constants, and its
 * types. The root `df2` has the names of every subpath besides its own.
 */
function documentedApi(): Map<string, EntryApi> {
  const text = readFileSync(join(REPO_ROOT, 'docs', 'library.md'), 'utf8');
  const section = text.slice(text.indexOf('## The public API'), text.indexOf('## A tour'));
  const api = new Map<string, EntryApi>();
  let current: EntryApi | undefined;
  for (const line of section.split('\n')) {
    const heading = /^### `([^`]+)`/.exec(line);
    if (heading) api.set(heading[1]!, (current = { values: [], types: [] }));
    const names = [...line.matchAll(/`([A-Za-z_$][\w$]*)`/g)].map((m) => m[1]!);
    if (line.startsWith('Functions, classes and constants:')) current!.values.push(...names);
    else if (line.startsWith('Types:')) current!.types.push(...names);
  }
  const root = api.get('df2');
  assert.ok(root, 'docs/library.md lists the root entry point');
  for (const [specifier, entry] of api) {
    if (specifier === 'df2') continue;
    root.values.push(...entry.values);
    root.types.push(...entry.types);
  }
  return api;
}

/** Type-checks files written into the consumer app against the installed package; the diagnostics and the checker. */
function typeCheck(app: string, files: Record<string, string>): { diagnostics: readonly ts.Diagnostic[]; program: ts.Program } {
  const paths = Object.keys(files).map((name) => join(app, name));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(app, name), text);
  const program = ts.createProgram(paths, {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: ['node'],
    typeRoots: [join(REPO_ROOT, 'node_modules', '@types')],
  });
  return { diagnostics: ts.getPreEmitDiagnostics(program), program };
}

function checkPublicApi(app: string): void {
  const api = documentedApi();
  assert.deepEqual(
    [...api.keys()].map((s) => (s === 'df2' ? '.' : s.replace(/^df2/, '.'))).sort(),
    Object.keys(manifest.exports)
      .filter((s) => s !== './package.json')
      .sort(),
    'docs/library.md lists every entry point of the exports',
  );
  // A consumer that imports every listed name, each value used as a value.
  const files: Record<string, string> = {};
  [...api].forEach(([specifier, { values, types }], i) => {
    files[`api-${i}.ts`] = [
      `import { ${[...values, ...types.map((t) => `type ${t}`)].join(', ')} } from '${specifier}';`,
      `export const used = [${values.join(', ')}];`,
      '',
    ].join('\n');
  });
  const { diagnostics, program } = typeCheck(app, files);
  assert.deepEqual(diagnostics.map(diagnosticText), [], 'every listed name compiles from its entry point');
  // Each entry point exports nothing else, and the values and types are as listed.
  const checker = program.getTypeChecker();
  [...api].forEach(([specifier, listed], i) => {
    const source = program.getSourceFile(join(app, `api-${i}.ts`))!;
    const declaration = source.statements.find(ts.isImportDeclaration)!;
    const entry = checker.getSymbolAtLocation(declaration.moduleSpecifier)!;
    const exported: EntryApi = { values: [], types: [] };
    for (const symbol of checker.getExportsOfModule(entry)) {
      const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      (target.flags & ts.SymbolFlags.Value ? exported.values : exported.types).push(symbol.name);
    }
    assert.deepEqual(exported.values.sort(), [...listed.values].sort(), `${specifier}: functions, classes and constants`);
    assert.deepEqual(exported.types.sort(), [...listed.types].sort(), `${specifier}: types`);
  });
  // Internal names and entries do not compile: each line below is refused.
  const refused = [
    "import { pyJson } from 'df2/convert';",
    "import { paramsFor } from 'df2/eval';",
    "import { loadQueries } from 'df2/eval/internal';",
    "import { loadQueries as q } from 'df2/eval/internal.js';",
    "import { pyFixed } from 'df2/dist/eval/internal.js';",
    "import { ITEM_KEY } from 'df2/schema';",
  ];
  const internal = typeCheck(app, { 'internal.ts': `${refused.join('\n')}\nexport {};\n` });
  const refusedLines = new Set(
    internal.diagnostics.filter((d) => d.file && d.start !== undefined).map((d) => d.file!.getLineAndCharacterOfPosition(d.start!).line),
  );
  refused.forEach((line, i) => assert.ok(refusedLines.has(i), `refused: ${line}`));
}

function diagnosticText(d: ts.Diagnostic): string {
  return `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
}

/** Static imports reachable from a compiled module (dynamic `import()` is how native modules are deferred). */
function staticImports(entry: string): Set<string> {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const pattern = /^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]/gm;
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const match of readFileSync(file, 'utf8').matchAll(pattern)) {
      const specifier = match[1] ?? match[2] ?? '';
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier));
      else packages.add(specifier);
    }
  };
  visit(entry);
  return packages;
}

test('no library entry point loads canvas or SQLite until pictures are drawn or the server runs', () => {
  for (const [subpath, entry] of Object.entries(manifest.exports)) {
    if (typeof entry === 'string') continue;
    const packages = staticImports(join(REPO_ROOT, entry.default));
    for (const native of ['@napi-rs/canvas', 'better-sqlite3']) assert.ok(!packages.has(native), `${subpath} imports ${native}`);
  }
  // The check itself sees a static import when there is one.
  assert.ok(staticImports(join(REPO_ROOT, 'dist', 'render', 'pictures', 'render-images.js')).has('@napi-rs/canvas'));
});
