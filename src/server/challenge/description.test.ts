import { test } from 'node:test';
import assert from 'node:assert/strict';
import { descriptionHtml } from './description.js';

test('a description renders headings, emphasis, lists and links', () => {
  const html = descriptionHtml('# Rules\n\nOne **team** per _person_.\n\n- a\n- b\n\nSee [the paper](https://example.org/p).');
  assert.match(html, /<h1>Rules<\/h1>/);
  assert.match(html, /<strong>team<\/strong>/);
  assert.match(html, /<em>person<\/em>/);
  assert.match(html, /<ul>\n<li>a<\/li>\n<li>b<\/li>\n<\/ul>/);
  assert.match(html, /<a href="https:\/\/example.org\/p" rel="noopener noreferrer" target="_blank">the paper<\/a>/);
});

test('a description cannot carry HTML, scripts or script URLs', () => {
  const html = descriptionHtml(
    '<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n[x](javascript:alert(3)) [y](JAVASCRIPT:alert(4)) [z](data:text/html,<b>5</b>)\n\n<a href="javascript:alert(6)">w</a>',
  );
  assert.doesNotMatch(html, /<(script|img|a)[\s>]/i, 'no tag from the text survives');
  assert.doesNotMatch(html, /href="(javascript|data):/i);
  assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.match(html, /\[x\]\(javascript:alert\(3\)\)/, 'a link with a script URL stays text');
});
