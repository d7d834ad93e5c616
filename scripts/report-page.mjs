// What the docs-picture scripts share: the command-line check and an HTML report
// opened in headless Chromium (Debian's, or $CHROMIUM), at the width the docs use.
import { chromium } from 'playwright-core';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The script's two arguments (the report and where to write), or its usage line and exit 2. */
export function reportAndTarget(script, target) {
  const [report, out] = process.argv.slice(2);
  if (!report || !out) {
    process.stderr.write(`usage: node scripts/${script} REPORT.html ${target}\n`);
    process.exit(2);
  }
  return [report, out];
}

/** Runs `take(page)` on the report opened in a fresh headless Chromium, then closes it. */
export async function withReportPage(report, take) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1240, height: 900 }, deviceScaleFactor: 1 });
    await page.goto(pathToFileURL(resolve(report)).href);
    await take(page);
  } finally {
    await browser.close();
  }
}
