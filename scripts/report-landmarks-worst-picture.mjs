// The picture of a report's worst keypoint detections for docs/errors.md,
// taken with headless Chromium:
//
//   npm run build
//   node bin/df2.js report --gt fixtures/golden/basic/gt/coco.json \
//     --results fixtures/golden/basic/results/keypoints_results.json \
//     --data fixtures/golden/basic/dataset --out /tmp/report.html --quiet
//   node scripts/report-landmarks-worst-picture.mjs /tmp/report.html docs/images/report-worst-landmarks.png
//
// takes the heading, the note with the marks' legend and the first three pictures.
import { resolve } from 'node:path';
import { reportAndTarget, withReportPage } from './report-page.mjs';

const [report, out] = reportAndTarget('report-landmarks-worst-picture.mjs', 'OUT.png');
await withReportPage(report, async (page) => {
  await page.locator('.worst-landmarks').evaluate((grid) => {
    const box = document.createElement('div');
    box.id = 'worst-picture';
    box.style.cssText = 'padding:8px;background:#f6f6f7;max-width:1000px';
    const table = grid.parentElement.querySelector('table.worst-detections');
    const note = table.previousElementSibling;
    const heading = note.previousElementSibling;
    const pictures = grid.cloneNode(false);
    for (const figure of [...grid.children].slice(0, 3)) pictures.appendChild(figure.cloneNode(true));
    box.append(heading.cloneNode(true), note.cloneNode(true), pictures);
    document.querySelector('main').prepend(box);
  });
  await page.locator('#worst-picture').screenshot({ path: resolve(out) });
});
