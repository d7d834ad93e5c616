/**
 * A phase that hides its figures must not tell a submitter which image ids its ground truth holds: a results file
 * naming images the phase lacks is refused with how many, never which one (naming the first one each time let a
 * team probe the hidden test images, one failed submission at a time), and a failed submission counts against its
 * limits (whether a file fails at all says whether its image ids are the phase's). A phase that shows its figures
 * names the id, and its failed submissions give their place back.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunningServer } from './server.js';
import type { Challenge } from './challenge/config.js';
import { addUser, goldenGtDir, startTestServer, upload, waitForSubmission } from './test-support.js';

let server: RunningServer;
let token: string;

before(async () => {
  const gtDir = await goldenGtDir({ attributes: false });
  const phase = {
    gtDir,
    tasks: ['bbox' as const],
    start: '2020-01-01T00:00:00.000Z',
    end: '2099-01-01T00:00:00.000Z',
    limits: { total: 1 },
    rule: 'best' as const,
  };
  const challenge: Challenge = {
    title: 'Hidden ids',
    description: '',
    registration: 'closed',
    phases: [
      { ...phase, name: 'dev', leaderboard: 'public', scores: 'shown' },
      { ...phase, name: 'test', leaderboard: 'private', scores: 'after_end' },
    ],
  };
  server = await startTestServer({ gtDir, challenge, dataDirs: [] });
  token = await addUser(server, 'prober');
});
after(() => server.close());

/** Three results, on two images the ground truth lacks (900001 twice, then 900002) after one of its own. */
const probe = JSON.stringify([
  { image_id: 1, category_id: 1, bbox: [1, 1, 10, 10], score: 0.9 },
  { image_id: 900001, category_id: 1, bbox: [1, 1, 10, 10], score: 0.8 },
  { image_id: 900001, category_id: 1, bbox: [2, 2, 10, 10], score: 0.7 },
  { image_id: 900002, category_id: 1, bbox: [1, 1, 10, 10], score: 0.6 },
]);

const failedWith = async (phase: string): Promise<string> => {
  const res = await upload(server, token, { phase, task: 'bbox', name: 'probe', file: { name: 'probe.json', content: probe } });
  assert.equal(res.status, 202, await res.clone().text());
  const sub = await waitForSubmission(server, token, ((await res.json()) as { id: number }).id);
  assert.equal(sub.status, 'failed');
  return String(sub.error);
};

test('in a phase that hides its figures, image ids the ground truth lacks are counted, not named; failures count against its limits', async () => {
  const error = await failedWith('test');
  assert.equal(error, 'probe.json: 2 image ids (in 3 results) are not among the images of this phase (not named while the phase hides its figures)');
  assert.doesNotMatch(error, /900001|900002|\[1\]/);
  const again = await upload(server, token, { phase: 'test', task: 'bbox', name: 'probe', file: { name: 'probe.json', content: probe } });
  assert.equal(again.status, 429, 'the failed submission took the one place of the phase');
  assert.equal(((await again.json()) as { error: string }).error, 'limit reached: total = 1 submissions per team for bbox in phase test');
});

test('in a phase that shows its figures, the first such image id and its entry are named; failures do not count', async () => {
  for (let k = 0; k < 2; k++) {
    const error = await failedWith('dev');
    assert.match(error, /^probe\.json: \[1\]\.image_id: expected the id of an image of the ground truth \(.*\), found 900001$/);
  }
});
