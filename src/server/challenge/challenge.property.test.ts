/**
 * Properties of challenge.yaml (`df2 serve --challenge`): every generated
 * valid file is read; any JSON value (JSON is YAML), and any line-level
 * mutation of a valid file (a line dropped, doubled, swapped, re-indented,
 * a value replaced by a nasty one, bytes inserted), is read or refused with
 * one line per problem naming the file and the field, never a crash.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { checkProperty, fuzzTimeout } from '../../testing/fuzz.js';
import { inputVerdict } from '../../testing/input-verdict.js';
import { anyJson, nastyNumber, nastyString, toJsonText } from '../../testing/json-mutations.js';
import { tempDir } from '../../testing/paths.js';
import { DEFAULT_PHASE_INTERVALS, parseChallenge } from './config.js';
import { TASKS } from './types.js';

const FILE = 'challenge.yaml';
let dir: string;

before(async () => {
  dir = await tempDir('df2-challenge-fuzz-');
  await mkdir(join(dir, 'gt'));
  for (const name of ['coco.json', 'coco-visible.json', 'query.json', 'gallery.json']) await writeFile(join(dir, 'gt', name), '[]');
  await writeFile(join(dir, 'about.md'), '# About\n');
});

const day = fc.integer({ min: 0, max: 3000 }).map((d) => new Date(Date.UTC(2027, 0, 1) + d * 86_400_000).toISOString().replace('.000Z', 'Z'));

/** A valid challenge: 1-3 phases with distinct names, start before end, limits in range. */
const validChallenge = fc
  .record({
    title: fc.string({ minLength: 1, maxLength: 60 }).filter((t) => t.trim() !== ''),
    description: fc.option(fc.constant('about.md'), { nil: undefined }),
    registration: fc.constantFrom('open', 'invite', 'closed'),
    phases: fc.uniqueArray(
      fc.record({
        name: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,10}$/),
        gt: fc.constant('gt'),
        tasks: fc.option(fc.subarray([...TASKS], { minLength: 1 }), { nil: undefined }),
        start: day,
        length: fc.integer({ min: 1, max: 400 }),
        limits: fc.option(fc.record({ per_day: fc.integer({ min: 0, max: 100 }), total: fc.integer({ min: 0, max: 1000 }) }), { nil: undefined }),
        leaderboard: fc.constantFrom('public', 'private'),
        scores: fc.constantFrom('shown', 'after_end'),
        rule: fc.constantFrom('best', 'latest'),
        intervals: fc.option(
          fc.oneof(
            fc.boolean(),
            fc.record(
              {
                resamples: fc.integer({ min: 100, max: 10_000 }),
                level: fc.double({ min: 0.5, max: 0.999, noNaN: true }),
                seed: fc.integer({ min: 0, max: 0xffffffff }),
              },
              { requiredKeys: [] },
            ),
          ),
          { nil: undefined },
        ),
      }),
      { minLength: 1, maxLength: 3, selector: (p) => p.name },
    ),
  })
  .map(({ phases, ...top }) => ({
    ...top,
    phases: phases.map(({ length, start, ...phase }) => ({ ...phase, start, end: new Date(Date.parse(start) + length * 86_400_000).toISOString() })),
  }));

/** A change to the lines of a YAML text. */
type LineEdit =
  | { kind: 'drop' | 'double' | 'indent' | 'outdent'; line: number }
  | { kind: 'swap'; line: number; other: number }
  | { kind: 'value'; line: number; value: string }
  | { kind: 'insert'; line: number; at: number; text: string };

const lineEdit: fc.Arbitrary<LineEdit> = fc.oneof(
  fc.record({ kind: fc.constantFrom('drop' as const, 'double' as const, 'indent' as const, 'outdent' as const), line: fc.nat() }),
  fc.record({ kind: fc.constant('swap' as const), line: fc.nat(), other: fc.nat() }),
  fc.record({
    kind: fc.constant('value' as const),
    line: fc.nat(),
    value: fc.oneof(
      nastyString.map((s) => JSON.stringify(s)),
      nastyNumber.map(toJsonText),
      fc.constantFrom(
        '~',
        '&a [*a]',
        '!!binary x',
        '*nothing',
        '[',
        '{',
        '"',
        "'",
        '|',
        '>',
        '- -',
        '? x',
        '%YAML 1.2',
        '---',
        '...',
        '!!js/function x',
        '<<: *a',
      ),
    ),
  }),
  fc.record({
    kind: fc.constant('insert' as const),
    line: fc.nat(),
    at: fc.nat(),
    text: fc.oneof(fc.string(), fc.constantFrom('\t', ':', ': ', '#', '\u0000', '\ufeff', '\r')),
  }),
);

function editLines(text: string, edits: readonly LineEdit[]): string {
  const lines = text.split('\n');
  for (const e of edits) {
    if (lines.length === 0) break;
    const k = e.line % lines.length;
    const line = lines[k]!;
    switch (e.kind) {
      case 'drop':
        lines.splice(k, 1);
        break;
      case 'double':
        lines.splice(k, 0, line);
        break;
      case 'indent':
        lines[k] = `  ${line}`;
        break;
      case 'outdent':
        lines[k] = line.replace(/^ {1,2}/, '');
        break;
      case 'swap': {
        const j = e.other % lines.length;
        [lines[k], lines[j]] = [lines[j]!, line];
        break;
      }
      case 'value': {
        const colon = line.indexOf(': ');
        lines[k] = colon >= 0 ? `${line.slice(0, colon + 2)}${e.value}` : `${line.replace(/\S.*$/, '')}- ${e.value}`;
        break;
      }
      case 'insert': {
        const at = e.at % (line.length + 1);
        lines[k] = line.slice(0, at) + e.text + line.slice(at);
        break;
      }
    }
  }
  return lines.join('\n');
}

const parse = (text: string): unknown => parseChallenge(text, FILE, dir);

describe('challenge.yaml', { timeout: fuzzTimeout() }, () => {
  test('every generated valid challenge is read, with its phases in order', async () => {
    await checkProperty(
      fc.property(validChallenge, (challenge) => {
        const read = parseChallenge(stringify(challenge), FILE, dir);
        assert.deepEqual(
          read.phases.map((p) => p.name),
          challenge.phases.map((p) => p.name),
        );
        // intervals: true is the defaults, a mapping overrides them, false or none is none.
        assert.deepEqual(
          read.phases.map((p) => p.intervals),
          challenge.phases.map(({ intervals: i }) => (i === undefined || i === false ? undefined : { ...DEFAULT_PHASE_INTERVALS, ...(i === true ? {} : i) })),
        );
      }),
      300,
    );
  });

  test('a key that is not a field, at the top, in a phase or in its limits, is refused, naming it', async () => {
    await checkProperty(
      fc.asyncProperty(
        validChallenge,
        fc.constantFrom('top', 'phase', 'limits'),
        fc.oneof(
          fc.constantFrom('constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', 'per_week', 'Title', 'title ', '\rtitle', 'a\nb'),
          fc.string({ minLength: 1 }),
        ),
        async (challenge, where, key) => {
          const doc = structuredClone(challenge) as Record<string, unknown> & { phases: Record<string, unknown>[] };
          const target = where === 'top' ? doc : where === 'phase' ? doc.phases[0]! : ((doc.phases[0]!.limits ??= {}) as Record<string, unknown>);
          fc.pre(!Object.hasOwn(target, key));
          Object.defineProperty(target, key, { value: 1, enumerable: true, configurable: true, writable: true });
          const verdict = await inputVerdict(FILE, () => parse(stringify(doc)));
          assert.ok(!verdict.accepted, `accepted a challenge with the key ${JSON.stringify(key)} (${where})`);
          assert.ok(
            verdict.message.split('\n').some((line) => line.includes(JSON.stringify(key).slice(1, -1)) || line.includes(key)),
            verdict.message,
          );
        },
      ),
      200,
    );
  });

  test('regression: limits with the key "constructor" or "toString" are refused, not read as a limit', () => {
    // Shrunk case of seed 26: a limits key that Object.prototype has was looked up as one of per_day, per_month, total.
    for (const key of ['constructor', 'toString']) {
      const text = `title: x\nphases:\n  - name: a\n    gt: gt\n    start: 2027-01-01T00:00:00Z\n    end: 2027-01-02T00:00:00Z\n    limits: {${key}: 1}\n`;
      assert.throws(() => parse(text), { message: `${FILE}: phases[0].limits.${key}: expected one of per_day, per_month, total, found "${key}"` });
    }
  });

  test('regression: a key holding a carriage return is quoted in its problem line', () => {
    // Shrunk case of seed 26: "\rtitle" was printed raw, and a terminal shows the line from its carriage return on.
    assert.throws(
      () => parse('"\\rtitle": x\ntitle: y\nphases: []\n'),
      (err: Error) =>
        err.message.split('\n')[0] === `${FILE}: ["\\rtitle"]: expected one of the fields title, description, registration, phases, found "\\rtitle"`,
    );
  });

  test('regression: an alias to no anchor is refused with one line', () => {
    // Shrunk case of seed 1 (10,000 runs): "title: *nothing" threw the yaml package's ReferenceError from toJS.
    assert.throws(() => parse('title: *nothing\nphases: []\n'), {
      message: `${FILE}: expected YAML, found Unresolved alias (the anchor must be set before the alias): nothing`,
    });
  });

  test('any JSON value is read or refused with one line per problem naming the file', async () => {
    await checkProperty(
      fc.asyncProperty(anyJson, async (value) => {
        await inputVerdict(FILE, () => parse(toJsonText(value)));
      }),
      500,
    );
  });

  test('any line-level mutation of a valid challenge is read or refused with one line per problem naming the file', async () => {
    await checkProperty(
      fc.asyncProperty(validChallenge, fc.array(lineEdit, { minLength: 1, maxLength: 4 }), async (challenge, edits) => {
        await inputVerdict(FILE, () => parse(editLines(stringify(challenge), edits)));
      }),
      500,
    );
  });
});
