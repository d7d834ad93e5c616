import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Phase } from './config.js';
import { closedReason, csvField, figuresHidden, limitWindows, phaseState, rankBoard, type BoardCandidate } from './phases.js';

const phase: Phase = {
  name: 'test',
  gtDir: '/gt',
  tasks: ['bbox'],
  start: '2027-06-01T00:00:00.000Z',
  end: '2027-06-15T00:00:00.000Z',
  limits: { perDay: 1, perMonth: 3, total: 5 },
  leaderboard: 'public',
  scores: 'after_end',
  rule: 'best',
};

test('a phase is closed before its start and after its end, open in between (both ends included)', () => {
  assert.equal(phaseState(phase, new Date('2027-05-31T23:59:59.999Z')), 'upcoming');
  assert.equal(phaseState(phase, new Date('2027-06-01T00:00:00.000Z')), 'open');
  assert.equal(phaseState(phase, new Date('2027-06-15T00:00:00.000Z')), 'open');
  assert.equal(phaseState(phase, new Date('2027-06-15T00:00:00.001Z')), 'ended');
  assert.equal(closedReason(phase, new Date('2027-05-01T00:00:00Z')), 'phase test opens at 2027-06-01T00:00:00.000Z and closes at 2027-06-15T00:00:00.000Z');
  assert.equal(closedReason(phase, new Date('2027-07-01T00:00:00Z')), 'phase test closed at 2027-06-15T00:00:00.000Z (it opened at 2027-06-01T00:00:00.000Z)');
  assert.equal(closedReason(phase, new Date('2027-06-02T00:00:00Z')), undefined);
  assert.equal(phaseState({ ...phase, start: undefined, end: undefined }, new Date(0)), 'open');
});

test('limit windows: the UTC day, the calendar month, all time', () => {
  assert.deepEqual(limitWindows(phase.limits, new Date('2027-02-28T23:30:00-02:00')), [
    { name: 'per_day', limit: 1, since: '2027-03-01T00:00:00.000Z' },
    { name: 'per_month', limit: 3, since: '2027-03-01T00:00:00.000Z' },
    { name: 'total', limit: 5, since: '' },
  ]);
  assert.deepEqual(limitWindows({ perMonth: 2 }, new Date('2027-12-31T12:00:00Z')), [{ name: 'per_month', limit: 2, since: '2027-12-01T00:00:00.000Z' }]);
});

test('figures hidden from submitters until the end, never from admins', () => {
  assert.equal(figuresHidden(phase, new Date('2027-06-10T00:00:00Z'), false), true);
  assert.equal(figuresHidden(phase, new Date('2027-06-10T00:00:00Z'), true), false);
  assert.equal(figuresHidden(phase, new Date('2027-06-16T00:00:00Z'), false), false);
  assert.equal(figuresHidden({ ...phase, scores: 'shown' }, new Date('2027-06-10T00:00:00Z'), false), false);
});

let nextId = 1;
const cand = (team: string, stats: number[], createdAt: string, baseline = false): BoardCandidate => ({
  submissionId: nextId++,
  teamKey: team,
  team,
  userName: team,
  name: `${team}-${stats.join('/')}`,
  description: '',
  paperUrl: null,
  codeUrl: null,
  baseline,
  createdAt,
  finishedAt: createdAt,
  result: { task: 'bbox', stats, statNames: ['AP', 'AP50'], seconds: 0 },
});

test('best vs latest per team, order by another figure, ties share a rank, baselines unranked', () => {
  const all = [
    cand('a', [0.5, 0.7], '2027-01-01'),
    cand('a', [0.6, 0.6], '2027-01-02'),
    cand('a', [0.4, 0.9], '2027-01-03'),
    cand('b', [0.6, 0.8], '2027-01-01'),
    cand('c', [0.3, 0.8], '2027-01-05'),
    cand('base', [0.9, 0.9], '2027-01-01', true),
  ];
  const best = rankBoard(all, 'best', 0, 0);
  assert.deepEqual(
    best.map((r) => [r.rank, r.name]),
    [
      [1, 'b-0.6/0.8'],
      [1, 'a-0.6/0.6'],
      [3, 'c-0.3/0.8'],
      [null, 'base-0.9/0.9'],
    ],
  );
  const latest = rankBoard(all, 'latest', 0, 0);
  assert.deepEqual(
    latest.map((r) => [r.rank, r.name]),
    [
      [1, 'b-0.6/0.8'],
      [2, 'a-0.4/0.9'],
      [3, 'c-0.3/0.8'],
      [null, 'base-0.9/0.9'],
    ],
  );
  // Sorted by AP50: the standing submissions stay those of the rule (best by AP), the order follows AP50.
  const byAp50 = rankBoard(all, 'best', 0, 1);
  assert.deepEqual(
    byAp50.map((r) => [r.rank, r.name]),
    [
      [1, 'b-0.6/0.8'],
      [1, 'c-0.3/0.8'],
      [3, 'a-0.6/0.6'],
      [null, 'base-0.9/0.9'],
    ],
  );
  // -1 ("no ground truth") sorts last.
  assert.deepEqual(
    rankBoard([cand('x', [-1, 0], '2027-01-01'), cand('y', [0, 0], '2027-01-02')], 'best', 0, 0).map((r) => r.team),
    ['y', 'x'],
  );
});

test('CSV fields are quoted when needed and never start a formula', () => {
  assert.equal(csvField('plain'), 'plain');
  assert.equal(csvField('a, "b"'), '"a, ""b"""');
  assert.equal(csvField('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`);
  assert.equal(csvField(-0.5), '-0.5');
  assert.equal(csvField(null), '');
  assert.equal(csvField(true), 'true');
});
