/** The hono app: the API under /api, the browser app at /. */
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { AppContext } from './context.js';
import { accountRoutes } from './routes/accounts.js';
import { challengeRoutes } from './routes/challenge.js';
import { explorerRoutes } from './routes/explorer.js';
import { layerRoutes } from './routes/layers.js';
import { staticRoutes } from './routes/static.js';
import type { HealthJson } from '../shared/api-types.js';
import { isUnreachable } from './store/database-link.js';
import { PasswordsBusy } from './challenge/passwords.js';

/** What GET /api/health answers: the backend, the queue and the live workers (from their heartbeats in the Store). */
async function health(ctx: AppContext): Promise<HealthJson> {
  let queue, workers;
  try {
    [queue, workers] = await ctx.link.watch(() => Promise.all([ctx.store.queueCounts(), ctx.store.workersSeen(ctx.settings.workerSeenSeconds)]));
  } catch (err) {
    if (!isUnreachable(err)) throw err;
    const since = new Date(ctx.link.outage?.since ?? Date.now()).toISOString();
    return { ok: false, store: ctx.store.kind, database: 'unreachable', unreachable_since: since, queue: null, workers: [] };
  }
  return {
    ok: true,
    store: ctx.store.kind,
    database: 'ok',
    queue,
    workers: workers.map((w) => ({ id: w.id, host: w.host, pid: w.pid, running: w.running, started_at: w.startedAt, seen_at: w.seenAt })),
  };
}

const APP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: [string, string][] = [
  ['x-content-type-options', 'nosniff'],
  ['referrer-policy', 'no-referrer'],
  ['content-security-policy', APP_CSP],
  ['x-frame-options', 'DENY'],
];

export function createApp(ctx: AppContext): Hono {
  const app = new Hono();
  app.use('*', async (c, next) => {
    // Set before the handler, the headers go into the response it makes with c.json/c.body/c.text
    // (a route may set its own CSP). Set after, on a response already made, they make Hono copy
    // it into a new one whose body is streamed: a cost on every API call.
    for (const [name, value] of SECURITY_HEADERS) c.header(name, value);
    await next();
    // A handler that returned a Response of its own (images, errors): the headers are added now.
    if (c.res.headers.has('x-frame-options')) return;
    for (const [name, value] of SECURITY_HEADERS) {
      // The app's scripts and styles come from this server only, and no other site may frame a page
      // (inline styles stay allowed: the per-item colours and the report's own <style>).
      if (name !== 'content-security-policy' || !c.res.headers.has(name)) c.header(name, value);
    }
  });
  app.get('/api/health', async (c) => {
    const body = await health(ctx);
    return c.json(body, body.ok ? 200 : 503);
  });
  app.route('/api', explorerRoutes(ctx));
  app.route('/api', layerRoutes(ctx));
  app.route('/api', accountRoutes(ctx));
  app.route('/api', challengeRoutes(ctx));
  app.route('/', staticRoutes(ctx));
  app.notFound((c) => (c.req.path.startsWith('/api/') ? c.json({ error: 'no such endpoint' }, 404) : c.text('not found', 404)));
  app.onError((err, c) => {
    if (err instanceof HTTPException) return err.getResponse();
    if (err instanceof PasswordsBusy) return c.json({ error: 'too many sign-ins at once; try again in a moment' }, 503, { 'retry-after': '1' });
    if (isUnreachable(err)) {
      // An outage costs a retry, not a stack trace per request: the link says it once.
      ctx.link.failed(err);
      return c.json({ error: 'the database is unreachable; try again in a moment' }, 503, { 'retry-after': '5' });
    }
    // The server is closing and its stores with it: what failed is the closing's doing, and the client is going away.
    if (ctx.stopping.aborted) return c.json({ error: 'the server is shutting down' }, 503);
    process.stderr.write(`df2 serve: ${c.req.method} ${c.req.path}: ${err.stack ?? err.message}\n`);
    return c.json({ error: 'internal error' }, 500);
  });
  return app;
}
