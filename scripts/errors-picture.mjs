// Pictures of a report's error-analysis section for docs/errors.md, taken
// with headless Chromium:
//
//   npm run build
//   node bin/df2.js report --gt fixtures/golden/basic/gt/coco.json \
//     --results fixtures/golden/basic/results/bbox_results.json --out /tmp/report.html --quiet
//   node scripts/errors-picture.mjs /tmp/report.html docs/images
//
// writes errors-tide.png (the TIDE table and bars) and errors-confusion.png
// (the confusion heat map) of the first bbox or segm section.
import { resolve } from 'node:path';
import { reportAndTarget, withReportPage } from './report-page.mjs';

const [report, outDir] = reportAndTarget('errors-picture.mjs', 'OUT-DIR');
await withReportPage(report, async (page) => {
  const section = page.locator('[data-errors]').first();
  // The table and the two bar charts, as one picture.
  await section.evaluate((el) => {
    const keep = el.querySelectorAll('table.tide, [data-chart="tide-main"], [data-chart="tide-special"]');
    const box = document.createElement('div');
    box.id = 'tide-picture';
    box.style.cssText = 'display:inline-block;padding:8px;background:#f6f6f7';
    for (const node of keep) box.appendChild(node.cloneNode(true));
    el.prepend(box);
  });
  await page.locator('#tide-picture').screenshot({ path: resolve(outDir, 'errors-tide.png') });
  await section.locator('[data-chart="confusion"]').screenshot({ path: resolve(outDir, 'errors-confusion.png') });
});
