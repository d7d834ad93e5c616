/**
 * The import-boundary rule of eslint.config.js (`npm run lint`) refuses what
 * it should and lets through what it should: layers one way, modules through
 * their public index, the browser app apart.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { REPO_ROOT } from './testing/paths.js';

const CASES: [file: string, code: string, refused: RegExp | undefined][] = [
  ['src/render/x.ts', "import { main } from '../cli/main.js';", /src\/render sits below cli/],
  ['src/util/x.ts', "import { coco } from '../eval/index.js';", /src\/util sits below/],
  ['src/mask/x.ts', "import { readSplit } from '../dataset/index.js';", /src\/mask sits below/],
  ['src/eval/coco/x.ts', "import { reportPage } from '../../render/index.js';", /src\/eval sits below render/],
  ['src/convert/x.ts', "import { serve } from '../server/server.js';", /src\/convert sits below/],
  ['src/server/x.ts', "import { paramsFor } from '../eval/coco/params.js';", /through its public index, eval\/index.js/],
  ['src/cli/x.ts', "import { synthesize } from '../synth/run.js';", /through its public index, synth\/index.js/],
  ['src/web/x.ts', "import { coco } from '../eval/index.js';", /shares only src\/shared/],
  ['src/server/x.ts', "import { coco } from '../eval/index.js';", undefined],
  ['src/eval/coco/x.ts', "import { evaluateRetrieval } from '../retrieval/evaluate.js';", undefined],
  ['src/convert/x.ts', "import { readSplit } from '../dataset/index.js';", undefined],
  ['src/web/x.ts', "import type { SplitInfo } from '../shared/api-types.js';", undefined],
  ['src/web/x.ts', "import { FACET_LIST } from '../shared/facets.js';", undefined],
  // A test may drive its module from above; its imports still go through the indexes.
  ['src/dataset/x.test.ts', "import { startServer } from '../server/server.js';", undefined],
  ['src/dataset/x.test.ts', "import { paramsFor } from '../eval/coco/params.js';", /through its public index, eval\/index.js/],
  // Drawing modules load the canvas library: imported directly, never through the index.
  ['src/cli/x.ts', "import { renderImages } from '../render/pictures/render-images.js';", undefined],
  ['src/cli/x.ts', "import { PALETTE } from '../render/pictures/colors.js';", /through its public index, render\/index.js/],
  // What df2's modules share beyond the public index: an internal entry, allowed between modules, not past it.
  ['src/server/x.ts', "import { loadQueries } from '../eval/internal.js';", undefined],
  ['src/cli/x.ts', "import { pyJson } from '../convert/internal.js';", undefined],
  ['src/server/x.ts', "import { loadQueries } from '../eval/retrieval/ground-truth.js';", /eval\/index.js, or what df2's modules share, eval\/internal.js/],
  ['src/eval/x.ts', "import { ITEM_KEY } from '../schema/internal.js';", undefined],
  ['src/mask/x.ts', "import { pyJson } from '../convert/internal.js';", /src\/mask sits below/],
  // The package's root entry re-exports public indexes only.
  ['src/index.ts', "export * from './eval/index.js';", undefined],
  ['src/index.ts', "export * from './eval/internal.js';", /re-exports public indexes only/],
  ['src/index.ts', "export { pyFixed } from './eval/coco/summarize.js';", /re-exports public indexes only/],
];

test('the import boundaries refuse imports against the layers and past a public index', async () => {
  const eslint = new ESLint({
    cwd: REPO_ROOT,
    // Only the import rule, without type information (fast; the rule reads only the specifiers).
    overrideConfig: [{ languageOptions: { parserOptions: { project: false, projectService: false, program: null } } }],
    ruleFilter: ({ ruleId }) => ruleId === 'no-restricted-imports',
  });
  for (const [file, code, refused] of CASES) {
    const [result] = await eslint.lintText(code, { filePath: join(REPO_ROOT, file) });
    const messages = result!.messages.map((m) => m.message);
    if (refused)
      assert.ok(
        messages.some((m) => refused.test(m)),
        `${file}: ${code} refused; got ${JSON.stringify(messages)}`,
      );
    else assert.deepEqual(messages, [], `${file}: ${code} allowed`);
  }
});
