/**
 * The browser app: index.html and style.css from src/web/public, the compiled
 * modules from dist/web and dist/shared. Only names of a fixed shape are served, looked up in
 * those two directories, so no request can reach another file.
 */
import { Hono } from 'hono';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AppContext } from '../context.js';

const MODULE_NAME = /^[a-z][a-z0-9-]{0,40}\.js$/;
const PUBLIC_FILES: Record<string, string> = { 'index.html': 'text/html; charset=utf-8', 'style.css': 'text/css; charset=utf-8' };

export function staticRoutes(ctx: AppContext): Hono {
  const app = new Hono();
  const send = async (file: string, type: string): Promise<Response> => {
    const body = await readFile(file).catch(() => undefined);
    if (!body) return new Response('not found', { status: 404 });
    return new Response(new Uint8Array(body), { headers: { 'content-type': type, 'cache-control': 'no-cache' } });
  };
  app.get('/', () => send(join(ctx.settings.publicDir, 'index.html'), PUBLIC_FILES['index.html']!));
  app.get('/style.css', () => send(join(ctx.settings.publicDir, 'style.css'), PUBLIC_FILES['style.css']!));
  app.get('/app/:file', (c) => {
    const file = c.req.param('file');
    if (!MODULE_NAME.test(file)) return new Response('not found', { status: 404 });
    return send(join(ctx.settings.webDir, file), 'text/javascript; charset=utf-8');
  });
  // The modules the app shares with the server (src/shared, e.g. the facet list) sit beside dist/web.
  app.get('/shared/:file', (c) => {
    const file = c.req.param('file');
    if (!MODULE_NAME.test(file)) return new Response('not found', { status: 404 });
    return send(join(ctx.settings.webDir, '..', 'shared', file), 'text/javascript; charset=utf-8');
  });
  return app;
}
