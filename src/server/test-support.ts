/** Shared by the server's tests: a ground-truth directory from the golden fixture, users, uploads. */
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { goldenPath, tempDir } from '../testing/paths.js';
import { startServer, type RunningServer, type ServeOptions } from './server.js';
import { hashToken, newToken } from './challenge/tokens.js';

export const GOLDEN_SPLIT = goldenPath('basic', 'dataset');

/**
 * --gt-dir for the basic fixture: the attribute-carrying COCO and query files, as `df2 convert
 * --attributes` writes them; or the plain ones (no per-attribute tables: a quicker evaluation).
 */
export async function goldenGtDir(options: { attributes?: boolean } = {}): Promise<string> {
  const dir = join(await tempDir('df2-gt-'), 'gt');
  const attributes = options.attributes ?? true;
  await mkdir(dir, { recursive: true });
  await copyFile(goldenPath('basic', 'gt', attributes ? 'coco-attributes.json' : 'coco.json'), join(dir, 'coco.json'));
  await copyFile(goldenPath('basic', 'gt', 'coco-visible.json'), join(dir, 'coco-visible.json'));
  await copyFile(goldenPath('basic', 'retrieval', attributes ? 'query-attributes.json' : 'query.json'), join(dir, 'query.json'));
  await copyFile(goldenPath('basic', 'retrieval', 'gallery.json'), join(dir, 'gallery.json'));
  return dir;
}

export async function startTestServer(options: Partial<ServeOptions> & { gtDir: string }): Promise<RunningServer> {
  const dir = await tempDir('df2-serve-');
  const db = options.db ?? join(dir, 'df2.sqlite');
  const server = await startServer({ dataDirs: [GOLDEN_SPLIT], port: 0, cacheDir: dir, ...options, db });
  await server.ctx.indexer.idle();
  return server;
}

export async function addUser(server: RunningServer, name: string, admin = false, team: string | null = null): Promise<string> {
  const token = newToken();
  await server.ctx.store.addUser({ name, admin, team, tokenHash: hashToken(token) });
  return token;
}

export function upload(
  server: RunningServer,
  token: string | undefined,
  fields: { phase?: string; task?: string; name?: string; file?: { name: string; content: string | Uint8Array } } & Record<string, unknown>,
): Promise<Response> {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields))
    if (key !== 'file' && value !== undefined) form.set(key, typeof value === 'string' ? value : JSON.stringify(value));
  if (fields.file) form.set('file', new Blob([fields.file.content]), fields.file.name);
  return fetch(`${server.url}/api/submissions`, {
    method: 'POST',
    body: form,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
}

/** Polls a submission until it is done or failed. */
export async function waitForSubmission(server: RunningServer, token: string, id: number, timeoutMs = 20_000): Promise<Record<string, unknown>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${server.url}/api/submissions/${id}`, { headers: { authorization: `Bearer ${token}` } });
    const body = (await res.json()) as Record<string, unknown>;
    if (body.status === 'done' || body.status === 'failed') return body;
    if (Date.now() > until) throw new Error(`submission ${id} still ${String(body.status)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A clock the tests move: the server's `now`. */
export class TestClock {
  constructor(public time: Date) {}
  readonly now = (): Date => this.time;
  set(iso: string): void {
    this.time = new Date(iso);
  }
}

/** The request helper of route tests through `app.request()`: JSON or form bodies, a token. */
export function requester(app: { request(path: string, init?: RequestInit): Response | Promise<Response> }) {
  return async (
    method: string,
    path: string,
    options: { token?: string; json?: unknown; form?: Record<string, string | Blob>; headers?: Record<string, string> } = {},
  ): Promise<Response> => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: RequestInit['body'];
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    } else if (options.form) {
      const form = new FormData();
      for (const [k, v] of Object.entries(options.form)) form.set(k, v);
      body = form;
    }
    return app.request(path, { method, headers, body });
  };
}
