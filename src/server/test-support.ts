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

export async function addUser(server: RunningServer, name: string, admin = false): Promise<string> {
  const token = newToken();
  await server.ctx.store.addUser(name, admin, hashToken(token));
  return token;
}

export function upload(
  server: RunningServer,
  token: string | undefined,
  fields: { task?: string; name?: string; file?: { name: string; content: string | Uint8Array } },
): Promise<Response> {
  const form = new FormData();
  if (fields.task !== undefined) form.set('task', fields.task);
  if (fields.name !== undefined) form.set('name', fields.name);
  if (fields.file) form.set('file', new Blob([fields.file.content]), fields.file.name);
  return fetch(`${server.url}/api/submissions`, {
    method: 'POST', body: form, headers: token ? { authorization: `Bearer ${token}` } : {},
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
