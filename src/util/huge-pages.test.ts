import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HUGE_PAGES_TUNABLE, type HugePageFacts, selectedThpMode, withHugePages } from './huge-pages.js';

const DEBIAN: HugePageFacts = { platform: 'linux', thpMode: 'madvise', glibcVersion: '2.36' };

test('the selected mode is the bracketed word of the kernel file', () => {
  assert.equal(selectedThpMode('always [madvise] never\n'), 'madvise');
  assert.equal(selectedThpMode('[always] madvise never\n'), 'always');
  assert.equal(selectedThpMode('always madvise [never]\n'), 'never');
  assert.equal(selectedThpMode(''), undefined);
});

test('the tunable is added on Linux with glibc 2.35+ in madvise mode, keeping the rest of the environment', () => {
  assert.deepEqual(withHugePages({ PATH: '/usr/bin' }, DEBIAN), { PATH: '/usr/bin', GLIBC_TUNABLES: HUGE_PAGES_TUNABLE });
  assert.equal(withHugePages({}, { ...DEBIAN, glibcVersion: '2.35' })?.GLIBC_TUNABLES, HUGE_PAGES_TUNABLE);
  assert.equal(withHugePages({}, { ...DEBIAN, glibcVersion: '3.0' })?.GLIBC_TUNABLES, HUGE_PAGES_TUNABLE);
});

test("other tunables already set are kept; the user's own hugetlb setting stands", () => {
  assert.equal(withHugePages({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' }, DEBIAN)?.GLIBC_TUNABLES, `glibc.malloc.arena_max=2:${HUGE_PAGES_TUNABLE}`);
  assert.equal(withHugePages({ GLIBC_TUNABLES: 'glibc.malloc.hugetlb=0' }, DEBIAN), undefined);
  assert.equal(withHugePages({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2:glibc.malloc.hugetlb=2' }, DEBIAN), undefined);
  // A name that only ends like the tunable's is another tunable.
  assert.equal(withHugePages({ GLIBC_TUNABLES: 'x.glibc.malloc.hugetlb=0' }, DEBIAN)?.GLIBC_TUNABLES, `x.glibc.malloc.hugetlb=0:${HUGE_PAGES_TUNABLE}`);
});

test('nothing where it would change nothing, or when DF2_HUGE_PAGES=0', () => {
  assert.equal(withHugePages({ DF2_HUGE_PAGES: '0' }, DEBIAN), undefined);
  assert.equal(withHugePages({}, { ...DEBIAN, thpMode: 'always' }), undefined);
  assert.equal(withHugePages({}, { ...DEBIAN, thpMode: 'never' }), undefined);
  assert.equal(withHugePages({}, { ...DEBIAN, thpMode: undefined }), undefined);
  assert.equal(withHugePages({}, { ...DEBIAN, glibcVersion: undefined }), undefined); // musl
  assert.equal(withHugePages({}, { ...DEBIAN, glibcVersion: '2.34' }), undefined);
  assert.equal(withHugePages({}, { ...DEBIAN, glibcVersion: '1.99' }), undefined);
  assert.equal(withHugePages({}, { ...DEBIAN, platform: 'darwin' }), undefined);
});
