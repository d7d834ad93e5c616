/**
 * Properties of the HTTP API: every route of the app (listed from its
 * router, so a new route is covered without a change here), called through
 * `app.request()` with generated path parameters, query strings, JSON,
 * form and multipart bodies and headers, as an anonymous visitor, two
 * participants and an admin, on each backend (SQLite, PostgreSQL). The
 * server answers below 500, and a refused request (4xx) leaves the store
 * (every table of its database) and the uploads folder as they were.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import pg from 'pg';
import type { Hono } from 'hono';
import { createApp } from './app.js';
import type { RunningServer } from './server.js';
import type { Challenge } from './challenge/config.js';
import { hashToken } from './challenge/tokens.js';
import { addUser, GOLDEN_SPLIT, goldenGtDir, startTestServer, TestClock } from './test-support.js';
import { TEST_BACKENDS } from './test-backends.js';
import { checkProperty, fuzzTimeout } from '../testing/fuzz.js';
import { filesUnder, goldenPath } from '../testing/paths.js';

const IDENTITIES = ['anonymous', 'participant', 'teammate', 'admin'] as const;
type Identity = (typeof IDENTITIES)[number];
const USER_NAMES: Record<Exclude<Identity, 'anonymous'>, string> = { participant: 'cy', teammate: 'ann', admin: 'root' };

/** Query keys the routes read, and some they do not. */
const QUERY_KEYS = [
  'phase',
  'task',
  'page',
  'per_page',
  'order_by',
  'all',
  'split',
  'errors',
  'sort',
  'confusion',
  'w',
  'category',
  'source',
  'pair_id',
  'style',
  'scale',
  'occlusion',
  'zoom_in',
  'viewpoint',
  'items',
  'name',
  'id',
];
/** Body fields the routes read. */
const BODY_KEYS = [
  'name',
  'password',
  'invite',
  'team',
  'admin',
  'dir',
  'public',
  'description',
  'paper_url',
  'code_url',
  'baseline',
  'hidden',
  'phase',
  'task',
];

interface Request {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: RequestInit['body'];
}

type StoreDump = Record<string, unknown[]>;
const quoted = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** Every table of the store's SQLite file, as rows: what a refused request must leave as it was. */
function sqliteDumper(file: string): { dump: () => Promise<StoreDump>; close: () => Promise<void> } {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  return {
    dump: async () => {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[];
      const dump: StoreDump = {};
      // Some tables have no rowid: rows are compared as a sorted list of their JSON.
      for (const { name } of tables)
        dump[name] = db
          .prepare(`SELECT * FROM ${quoted(name)}`)
          .all()
          .map((row) => JSON.stringify(row))
          .sort();
      return dump;
    },
    close: async () => void db.close(),
  };
}

/** Every table of the store's PostgreSQL schema (the job queue's own schema aside: its upkeep changes rows on its own), as rows. */
async function postgresDumper(url: string): Promise<{ dump: () => Promise<StoreDump>; close: () => Promise<void> }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    dump: async () => {
      const tables = await client.query<{ name: string }>(
        "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name",
      );
      const dump: StoreDump = {};
      for (const { name } of tables.rows) dump[name] = (await client.query(`SELECT * FROM ${quoted(name)}`)).rows.map((row) => JSON.stringify(row)).sort();
      return dump;
    },
    close: () => client.end(),
  };
}

for (const backend of TEST_BACKENDS)
  describe(`the HTTP API with generated requests (${backend.name})`, { timeout: fuzzTimeout(), skip: backend.skip }, () => {
    let server: RunningServer;
    let app: Hono;
    let database: { db: string; drop(): Promise<void> };
    let store: { dump: () => Promise<StoreDump>; close: () => Promise<void> };
    const tokens = new Map<Identity, string>();
    const clock = new TestClock(new Date('2027-03-10T12:00:00Z'));
    let routes: { method: string; path: string }[];
    let values: string[];
    let bboxResults: string;

    before(async () => {
      const gt = await goldenGtDir({ attributes: false });
      const challenge: Challenge = {
        title: 'Fuzzed challenge',
        description: 'Properties',
        registration: 'open',
        phases: [
          { name: 'dev', gtDir: gt, tasks: ['bbox', 'segm', 'retrieval'], limits: { perDay: 50 }, leaderboard: 'public', scores: 'shown', rule: 'best' },
          {
            name: 'test',
            gtDir: gt,
            tasks: ['bbox'],
            start: '2027-01-01T00:00:00.000Z',
            end: '2027-02-01T00:00:00.000Z',
            limits: { total: 2 },
            leaderboard: 'private',
            scores: 'after_end',
            rule: 'latest',
          },
        ],
      };
      database = await backend.create();
      server = await startTestServer({
        db: database.db,
        gtDir: gt,
        challenge,
        now: clock.now,
        workers: 0,
        dataDirs: [GOLDEN_SPLIT],
        results: [{ name: 'boxes', file: goldenPath('basic', 'results', 'bbox_results.json') }],
      });
      app = createApp(server.ctx);
      store = backend.name === 'sqlite' ? sqliteDumper(database.db) : await postgresDumper(database.db);
      for (const identity of IDENTITIES) {
        if (identity === 'anonymous') continue;
        tokens.set(identity, await addUser(server, USER_NAMES[identity], identity === 'admin', identity === 'teammate' ? 'Lab' : null));
      }
      await addUser(server, 'dee');
      bboxResults = await readFile(goldenPath('basic', 'results', 'bbox_results.json'), 'utf8');
      // Submissions to find by id: one of each participant.
      for (const who of ['participant', 'teammate'] as const) {
        const form = new FormData();
        form.set('phase', 'dev');
        form.set('task', 'bbox');
        form.set('name', `${who}'s method`);
        form.set('file', new Blob([bboxResults]), 'results.json');
        const res = await app.request('/api/submissions', { method: 'POST', body: form, headers: { authorization: `Bearer ${tokens.get(who)}` } });
        assert.equal(res.status, 202, await res.text());
      }
      // Every route the app has, from its router: a route added later is generated without a change here.
      const seen = new Set<string>();
      routes = app.routes
        .filter((r) => r.method !== 'ALL')
        .filter((r) => !seen.has(`${r.method} ${r.path}`) && seen.add(`${r.method} ${r.path}`))
        .map((r) => ({ method: r.method, path: r.path }));
      const splits = (await server.ctx.index.splits()).map((s) => s.name);
      const layers = (await (await app.request('/api/layers')).json()) as { id: string }[];
      values = [
        ...splits,
        ...layers.map((l) => l.id),
        'dev',
        'test',
        'bbox',
        'segm',
        'keypoints',
        'retrieval',
        'AP',
        '1',
        '2',
        '3',
        '0',
        '-1',
        '999999999',
        '1e3',
        '1,2',
        'true',
        'dee',
        'nobody',
        'Lab',
        'app.js',
        'index.html',
        'a-very-long-password-indeed',
        GOLDEN_SPLIT,
        '/',
        '..',
        '../..',
        '%2e%2e',
        '',
        ' ',
        '\u0000',
        '\u202e',
        'x'.repeat(300),
      ];
      assert.ok(routes.length >= 30, `only ${routes.length} routes found in the router`);
    });

    after(async () => {
      await store?.close();
      await server?.close();
      await database?.drop();
    });

    const value = (): fc.Arbitrary<string> =>
      fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...values) }, { weight: 1, arbitrary: fc.string({ maxLength: 40 }) });
    // Path parameters never name an identity: a revoked identity would turn every later case into an anonymous one.
    const pathValue = (): fc.Arbitrary<string> => value().filter((v) => !Object.values(USER_NAMES).includes(v));

    const requestArbitrary = (): fc.Arbitrary<{ identity: Identity; request: Request; describe: string }> =>
      fc
        .record({
          route: fc.constantFrom(...routes),
          identity: fc.constantFrom(...IDENTITIES),
          params: fc.array(pathValue(), { minLength: 4, maxLength: 4 }),
          rawParams: fc.boolean(),
          query: fc.array(fc.tuple(fc.oneof(fc.constantFrom(...QUERY_KEYS), fc.string({ maxLength: 10 })), value()), { maxLength: 5 }),
          rawQuery: fc.option(fc.constantFrom('%', '%zz', '&&=', '=x', 'page=1&page=2', 'a=%00', 'task=bbox&task=segm'), { nil: undefined }),
          body: fc.oneof(
            fc.constant({ kind: 'none' as const }),
            fc.record({ kind: fc.constant('json' as const), value: fc.jsonValue({ maxDepth: 3 }) }),
            fc.record({
              kind: fc.constant('fields' as const),
              value: fc.dictionary(fc.constantFrom(...BODY_KEYS), fc.oneof(value(), fc.jsonValue({ maxDepth: 1 }))),
            }),
            fc.record({
              kind: fc.constant('text' as const),
              value: fc.string({ maxLength: 200 }),
              type: fc.constantFrom('application/json', 'text/plain', ''),
            }),
            fc.record({
              kind: fc.constant('multipart' as const),
              fields: fc.dictionary(fc.constantFrom(...BODY_KEYS), value()),
              file: fc.option(fc.tuple(fc.constantFrom('results', '[]', 'garbage', 'empty', 'json'), fc.string({ maxLength: 20 })), { nil: undefined }),
              fileFirst: fc.boolean(),
            }),
            fc.record({ kind: fc.constant('urlencoded' as const), value: fc.dictionary(fc.constantFrom(...BODY_KEYS), value()) }),
          ),
          badAuth: fc.option(fc.constantFrom('Bearer', 'Bearer ', 'Basic abc', 'Bearer x'.repeat(100), 'bearer wrong-token'), { nil: undefined }),
          cookie: fc.option(fc.constantFrom('df2_session=nope', 'df2_session=' + 'a'.repeat(300), 'df2_session='), { nil: undefined }),
          origin: fc.option(fc.constantFrom('https://elsewhere.example', 'null', 'not a url'), { nil: undefined }),
        })
        .map((g) => {
          let k = 0;
          const path = g.route.path.replace(/:[A-Za-z]+/g, () => {
            const v = g.params[k++ % g.params.length]!;
            return g.rawParams ? v.replace(/[/?#]/g, '_') : encodeURIComponent(v);
          });
          const query = new URLSearchParams(g.query).toString();
          const search = [query, g.rawQuery].filter((s) => s !== undefined && s !== '').join('&');
          const headers: Record<string, string> = {};
          // The identity's token is added when the request is sent: a failure's report shows the case, not a token.
          if (g.badAuth !== undefined) headers.authorization = g.badAuth;
          if (g.cookie) headers.cookie = g.cookie;
          if (g.origin) headers.origin = g.origin;
          let body: RequestInit['body'];
          // A GET or HEAD request cannot carry a body (fetch's Request refuses to make one).
          const b = ['GET', 'HEAD'].includes(g.route.method) ? { kind: 'none' as const } : g.body;
          if (b.kind === 'json' || b.kind === 'fields') {
            headers['content-type'] = 'application/json';
            body = JSON.stringify(b.value) ?? 'null';
          } else if (b.kind === 'text') {
            if (b.type) headers['content-type'] = b.type;
            body = b.value;
          } else if (b.kind === 'urlencoded') {
            body = new URLSearchParams(b.value);
          } else if (b.kind === 'multipart') {
            const form = new FormData();
            const addFile = (): void => {
              if (!b.file) return;
              const [content, name] = b.file;
              const bytes =
                content === 'results'
                  ? bboxResults
                  : content === 'garbage'
                    ? new Uint8Array([0xff, 0xfe, 0, 1, 2])
                    : content === 'empty'
                      ? ''
                      : content === 'json'
                        ? '{"not": "results"}'
                        : '[]';
              form.append('file', new Blob([bytes]), name);
            };
            if (b.fileFirst) addFile();
            for (const [key, v] of Object.entries(b.fields)) form.append(key, v);
            if (!b.fileFirst) addFile();
            body = form;
          }
          const request: Request = { method: g.route.method, path: `${path}${search ? `?${search}` : ''}`, headers, body };
          return { identity: g.identity, request, describe: `${g.identity}: ${request.method} ${request.path} ${JSON.stringify(b)}` };
        });

    /** Gives the identities back their tokens: an accepted request may have replaced one (POST /me/token). */
    const restoreIdentities = async (): Promise<void> => {
      for (const [identity, token] of tokens) {
        const user = await server.ctx.store.userByName(USER_NAMES[identity as Exclude<Identity, 'anonymous'>]);
        assert.ok(user && user.revokedAt === null, `${identity} was revoked`);
        await server.ctx.store.setToken(user.id, hashToken(token));
      }
    };

    test('any request to any route, from anyone, is answered below 500; a refused one changes nothing in the store or the uploads', async () => {
      const uploads = server.ctx.settings.uploadsDir;
      await checkProperty(
        fc.asyncProperty(requestArbitrary(), async ({ identity, request, describe: what }) => {
          const storeBefore = await store.dump();
          const uploadsBefore = await filesUnder(uploads);
          const token = tokens.get(identity);
          const headers = token && request.headers.authorization === undefined ? { ...request.headers, authorization: `Bearer ${token}` } : request.headers;
          const res = await app.request(request.path, { method: request.method, headers, body: request.body });
          await res.arrayBuffer();
          assert.ok(res.status < 500, `${what}: answered ${res.status}`);
          if (res.status >= 400) {
            assert.deepEqual(await store.dump(), storeBefore, `${what}: answered ${res.status} but changed the store`);
            assert.deepEqual(await filesUnder(uploads), uploadsBefore, `${what}: answered ${res.status} but changed the uploads`);
          } else {
            // What the request started (a split's indexing) ends before the next case compares the store.
            await server.ctx.indexer.idle();
            await restoreIdentities();
          }
        }),
        300,
      );
    });
  });
