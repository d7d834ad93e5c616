import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../../testing/paths.js';
import { goldenGtDir } from '../test-support.js';
import { ChallengeError, loadChallenge, parseChallenge, singlePhaseChallenge } from './config.js';

test('a two-phase challenge file is read into a typed challenge, paths relative to the file', async () => {
  const gt = await goldenGtDir();
  const dir = join(gt, '..');
  await writeFile(join(dir, 'challenge.md'), '# Welcome\n');
  await writeFile(
    join(dir, 'challenge.yaml'),
    `
title: DeepFashion2 Challenge 2027
description: challenge.md
registration: invite
phases:
  - name: dev
    gt: gt
    tasks: [bbox, retrieval]
    start: 2027-01-01T00:00:00Z
    end: 2027-05-31T23:59:59Z
    limits: {per_day: 5, per_month: 50, total: 100}
  - name: test
    gt: ${gt}
    start: 2027-06-01T00:00:00+02:00
    end: 2027-06-15T00:00:00Z
    limits: {per_day: 1, total: 5}
    leaderboard: private
    scores: after_end
    rule: latest
`,
  );
  const c = loadChallenge(join(dir, 'challenge.yaml'));
  assert.equal(c.title, 'DeepFashion2 Challenge 2027');
  assert.equal(c.description, '# Welcome\n');
  assert.equal(c.registration, 'invite');
  assert.deepEqual(c.phases[0], {
    name: 'dev',
    gtDir: gt,
    tasks: ['bbox', 'retrieval'],
    start: '2027-01-01T00:00:00.000Z',
    end: '2027-05-31T23:59:59.000Z',
    limits: { perDay: 5, perMonth: 50, total: 100 },
    leaderboard: 'public',
    scores: 'shown',
    rule: 'best',
  });
  // No tasks listed: every task the ground truth has files for.
  assert.deepEqual(c.phases[1]!.tasks, ['bbox', 'segm', 'keypoints', 'keypoints_visible', 'retrieval']);
  assert.equal(c.phases[1]!.start, '2027-05-31T22:00:00.000Z');
  assert.deepEqual(
    [c.phases[1]!.leaderboard, c.phases[1]!.scores, c.phases[1]!.rule, c.phases[1]!.limits],
    ['private', 'after_end', 'latest', { perDay: 1, total: 5 }],
  );
});

test('every mistake is one line naming the file and the field', async () => {
  const dir = await tempDir('df2-challenge-');
  await mkdir(join(dir, 'gt'));
  await writeFile(join(dir, 'gt', 'query.json'), '{}');
  const text = `
title: ""
registration: sometimes
colour: blue
phases:
  - name: dev
    gt: gt
    tasks: [bbox, detection, retrieval]
    start: tomorrow
    end: 2027-01-01T00:00:00Z
    limits: {per_day: -1, per_week: 3}
    leaderboard: secret
    scores: after_end
  - name: dev
    gt: missing
  - name: "bad name!"
    gt: gt
    tasks: [retrieval]
    start: 2027-02-01T00:00:00Z
    end: 2027-01-01T00:00:00Z
    rule: worst
`;
  let error: unknown;
  try {
    parseChallenge(text, 'challenge.yaml', dir);
  } catch (err) {
    error = err;
  }
  assert.ok(error instanceof ChallengeError);
  assert.deepEqual(error.message.split('\n'), [
    'challenge.yaml: colour: expected one of the fields title, description, registration, phases, found "colour"',
    'challenge.yaml: title: expected a text of 1-200 characters, found ""',
    'challenge.yaml: registration: expected open, invite or closed, found "sometimes"',
    'challenge.yaml: phases[0].tasks[0]: expected a task whose ground truth (coco.json) is in gt; coco.json is missing',
    'challenge.yaml: phases[0].tasks[1]: expected one of bbox, segm, keypoints, keypoints_visible, retrieval, found "detection"',
    'challenge.yaml: phases[0].tasks[2]: expected a task whose ground truth (query.json, gallery.json) is in gt; gallery.json is missing',
    'challenge.yaml: phases[0].start: expected a date-time with its zone, e.g. 2027-05-31T23:59:59Z, found "tomorrow"',
    'challenge.yaml: phases[0].limits.per_day: expected a whole number 0..1000000, found -1',
    'challenge.yaml: phases[0].limits.per_week: expected one of per_day, per_month, total, found "per_week"',
    'challenge.yaml: phases[0].leaderboard: expected public or private, found "secret"',
    'challenge.yaml: phases[1].gt: expected an existing directory, found "missing"',
    'challenge.yaml: phases[1].name: expected a name no other phase has, found "dev"',
    'challenge.yaml: phases[2].name: expected 1-40 letters, digits, ".", "_" or "-", found "bad name!"',
    'challenge.yaml: phases[2].tasks[0]: expected a task whose ground truth (query.json, gallery.json) is in gt; gallery.json is missing',
    'challenge.yaml: phases[2].end: expected a time after start (2027-02-01T00:00:00.000Z), found "2027-01-01T00:00:00Z"',
    'challenge.yaml: phases[2].rule: expected best or latest, found "worst"',
  ]);
});

test('YAML syntax errors name the line; scores: after_end needs an end; names are unique', async () => {
  const gt = await goldenGtDir();
  assert.throws(() => parseChallenge('title: [unclosed\n', 'c.yaml', '.'), /: c\.yaml: line \d: expected YAML, found Flow sequence/);
  assert.throws(() => parseChallenge('title: x\ntitle: y\nphases: []\n', 'c.yaml', '.'), /: c\.yaml: line 2: expected YAML, found Map keys must be unique/);
  assert.throws(
    () => parseChallenge('title: x\nphases: []\n', 'c.yaml', '.'),
    /: c\.yaml: phases: expected a list of at least one phase, found an array of 0$/,
  );
  assert.throws(
    () =>
      parseChallenge(
        'title: x\nphases:\n  - {name: a, gt: ., tasks: [retrieval]}\n  - {name: a, gt: ., tasks: [retrieval]}\n  - {name: b, gt: ., scores: after_end}\n',
        'c.yaml',
        gt,
      ),
    (err: Error) =>
      err.message.split('\n').includes('c.yaml: phases[2].end: expected an end date (scores: after_end shows figures once the phase has ended)') &&
      err.message.split('\n').includes('c.yaml: phases[1].name: expected a name no other phase has, found "a"'),
  );
});

test('--gt-dir alone is one open phase named dev with the per-day quota', async () => {
  const gt = await goldenGtDir();
  const c = singlePhaseChallenge(gt, 7);
  assert.equal(c.phases.length, 1);
  assert.deepEqual(c.phases[0], {
    name: 'dev',
    gtDir: gt,
    tasks: ['bbox', 'segm', 'keypoints', 'keypoints_visible', 'retrieval'],
    limits: { perDay: 7 },
    leaderboard: 'public',
    scores: 'shown',
    rule: 'best',
  });
  assert.equal(c.registration, 'closed');
});

test('intervals: true takes the defaults, a mapping sets resamples, level and seed, bad values are one line each', async () => {
  const gt = await goldenGtDir();
  const phases = (intervals: string): string =>
    `title: x\nphases:\n  - {name: a, gt: ., tasks: [bbox], intervals: ${intervals}}\n  - {name: b, gt: ., tasks: [retrieval]}\n`;
  const on = parseChallenge(phases('true'), 'c.yaml', gt);
  assert.deepEqual(on.phases[0]!.intervals, { resamples: 1000, level: 0.95, seed: 0 });
  // A phase that does not ask has none; `false` is the same.
  assert.equal(on.phases[1]!.intervals, undefined);
  assert.equal(parseChallenge(phases('false'), 'c.yaml', gt).phases[0]!.intervals, undefined);
  assert.deepEqual(parseChallenge(phases('{resamples: 2000, level: 0.9, seed: 7}'), 'c.yaml', gt).phases[0]!.intervals, {
    resamples: 2000,
    level: 0.9,
    seed: 7,
  });
  assert.deepEqual(parseChallenge(phases('{level: 0.99}'), 'c.yaml', gt).phases[0]!.intervals, { resamples: 1000, level: 0.99, seed: 0 });
  const problems = (intervals: string): string[] => {
    try {
      parseChallenge(phases(intervals), 'c.yaml', gt);
    } catch (err) {
      assert.ok(err instanceof ChallengeError);
      return err.problems;
    }
    assert.fail(`intervals: ${intervals} was accepted`);
  };
  assert.deepEqual(problems('yes please'), ['c.yaml: phases[0].intervals: expected true, false or a mapping of resamples, level, seed, found "yes please"']);
  assert.deepEqual(problems('{resamples: 10, level: 95, seed: -1, colour: red}'), [
    'c.yaml: phases[0].intervals.resamples: expected a whole number 100..10000, found 10',
    'c.yaml: phases[0].intervals.level: expected a number from 0.5 to below 1, e.g. 0.95, found 95',
    'c.yaml: phases[0].intervals.seed: expected a whole number 0..4294967295, found -1',
    'c.yaml: phases[0].intervals.colour: expected one of resamples, level, seed, found "colour"',
  ]);
  assert.deepEqual(problems('{resamples: 1000.5, level: 1}'), [
    'c.yaml: phases[0].intervals.resamples: expected a whole number 100..10000, found 1000.5',
    'c.yaml: phases[0].intervals.level: expected a number from 0.5 to below 1, e.g. 0.95, found 1',
  ]);
});
