// ESLint (flat config): typescript-eslint's type-checked recommended rules on
// every TypeScript file, and import boundaries that keep df2's layers one way.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layers, bottom up: a folder of src/ may import its own layer and those below, never
 * those above. (src/web, the browser app, is apart: it may import only src/shared.)
 */
const LAYERS = [['util', 'json', 'mask', 'schema', 'shared', 'testing'], ['dataset', 'synth', 'convert', 'eval'], ['render'], ['cli', 'server', 'bench']];
/**
 * Modules with a public index: from outside, import `<module>/index.js` (the package's API), or
 * `<module>/internal.js` (what df2's own modules share beyond it; not in package.json's `exports`),
 * not the files behind them.
 */
const INDEXED = ['eval', 'mask', 'schema', 'dataset', 'synth', 'convert', 'render'];

const FOLDERS = [...LAYERS.flat(), 'web'];

/**
 * Files another module may import directly, not through the index: test helpers (kept out of the
 * package), and the drawing modules that load the canvas library (the index must not load it, so
 * that `df2/render` and the report's figures work without it; they are imported where pictures are made).
 */
const DIRECT_IMPORTS = [
  'eval/coco/tiny-cases.js',
  'mask/testing.js',
  'render/pictures/draw-item.js',
  'render/pictures/landmark-errors-picture.js',
  'render/pictures/panel.js',
  'render/pictures/pixel-reader.js',
  'render/pictures/render-images.js',
  'render/pictures/retrieval-strip.js',
  'render/pictures/retrieval-strips.js',
  'render/pictures/split-image.js',
  'render/report/report-pictures.js',
];

/** The import patterns a file of `folder` may not use, leaving out the modules in `reachInto`. */
function forbiddenImports(folder, reachInto = [], { tests = false } = {}) {
  const patterns = [];
  const layer = LAYERS.findIndex((l) => l.includes(folder));
  // A test may drive a module from above (a dataset test that serves what it imported): layers bind the code, not its tests.
  const above = layer < 0 || tests ? [] : LAYERS.slice(layer + 1).flat();
  if (above.length > 0) {
    patterns.push({ group: above.map((f) => `**/${f}/**`), message: `src/${folder} sits below ${above.join(', ')}: data flows one way.` });
  }
  if (folder === 'web') patterns.push({ group: ['../*', '!../shared'], message: 'the browser app shares only src/shared with the server.' });
  for (const module of INDEXED) {
    if (module === folder || reachInto.includes(module)) continue;
    patterns.push({
      group: [
        `**/${module}/**/*.js`,
        `!**/${module}/index.js`,
        `!**/${module}/internal.js`,
        ...DIRECT_IMPORTS.filter((f) => f.startsWith(`${module}/`)).map((f) => `!**/${f}`),
      ],
      message: `import ${module}/ through its public index, ${module}/index.js, or what df2's modules share, ${module}/internal.js (add what you need there).`,
    });
  }
  return ['error', { patterns }];
}

const importRules = [
  ...FOLDERS.map((folder) => ({ files: [`src/${folder}/**/*.ts`], rules: { 'no-restricted-imports': forbiddenImports(folder) } })),
  ...FOLDERS.map((folder) => ({ files: [`src/${folder}/**/*.test.ts`], rules: { 'no-restricted-imports': forbiddenImports(folder, [], { tests: true }) } })),
  {
    // The package's root entry re-exports the public indexes only: an internal entry is for df2's own modules.
    files: ['src/index.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['./*/**', ...INDEXED.map((m) => `!./${m}/index.js`), '!./util/progress.js'], message: 'src/index.ts re-exports public indexes only.' },
          ],
        },
      ],
    },
  },
];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'fixtures/', 'coverage/', 'scripts/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      // Two programs: the Node code (tsconfig.json) and the browser app (tsconfig.web.json, DOM types).
      parserOptions: { project: ['./tsconfig.json', './tsconfig.web.json'], tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // noUncheckedIndexedAccess is on: a `!` after an indexed read says the index is in range
      // (the hot loops over typed arrays read thousands of them), so the assertion is allowed.
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      // Async functions that implement an async interface (the store and index backends: SQLite is
      // synchronous, PostgreSQL is not; async generators fed to `for await`) need not await.
      '@typescript-eslint/require-await': 'off',
      // Enums here are numeric codes kept in typed arrays (e.g. results.ts MaskSource in a Uint8Array).
      '@typescript-eslint/no-unsafe-enum-comparison': 'off',
      // A failure caught as `unknown` is rethrown (or rejected) unchanged, never wrapped.
      '@typescript-eslint/only-throw-error': ['error', { allowThrowingUnknown: true }],
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
      // node:test's test() and describe() return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite'] }] },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  ...importRules,
  {
    files: ['src/web/**/*.ts'],
    rules: {
      // h() takes event handlers as properties; the async ones (form submits) catch their own errors.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { properties: false } }],
    },
  },
  {
    files: ['**/*.test.ts', 'src/testing/**', 'src/server/test-support.ts', 'src/mask/testing.ts', 'src/eval/coco/tiny-cases.ts'],
    rules: {
      // Tests read JSON that the CLI, the server or a fixture wrote (`any` from JSON.parse) and
      // compare it with assert.deepEqual/equal: the assertion is the check, not a declared type.
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      // Assertion messages print arrays and unknown values as text.
      '@typescript-eslint/restrict-template-expressions': 'off',
    },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: { process: 'readonly', console: 'readonly' } },
  },
);
