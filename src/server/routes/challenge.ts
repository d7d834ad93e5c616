/** The challenge's API: users, submissions, leaderboards. Ground truth is never served. */
import { Hono } from 'hono';
import { rm } from 'node:fs/promises';
import type { AppContext } from '../context.js';
import { DuplicateUserError, isTask, TASKS, type Submission, type User } from '../challenge/types.js';
import { newToken, hashToken, USER_NAME } from '../challenge/tokens.js';
import { PRIMARY_FIGURE_NAME, TASK_TITLES, statNames } from '../challenge/tasks.js';
import { receiveUpload, UploadError } from '../challenge/upload.js';
import { currentUser, fail, intParam, requireAdmin, requireUser } from '../http.js';
import type { LeaderboardJson, SubmissionJson, TaskJson, UserJson } from '../../shared/api-types.js';

/** Start of the current UTC day: quotas count submissions since then. */
export const quotaDayStart = (now = new Date()): string =>
  new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())).toISOString();

const SUBMISSION_NAME_MAX = 80;

export const submissionJson = (s: Submission): SubmissionJson => ({
  id: s.id, user: s.userName, task: s.task, name: s.name, file_name: s.fileName, file_bytes: s.fileBytes,
  status: s.status, attempts: s.attempts, error: s.error,
  stats: s.result?.stats ?? null, stat_names: s.result?.statNames ?? statNames(s.task), result: s.result,
  created_at: s.createdAt, started_at: s.startedAt, finished_at: s.finishedAt,
});

const userJson = (u: User): UserJson => ({ id: u.id, name: u.name, admin: u.admin, created_at: u.createdAt });

export function challengeRoutes(ctx: AppContext): Hono {
  const app = new Hono();

  app.get('/tasks', (c) => c.json(TASKS.map((task): TaskJson => ({
    task, title: TASK_TITLES[task], available: ctx.settings.tasks.includes(task),
    stat_names: statNames(task), primary: PRIMARY_FIGURE_NAME[task],
  }))));

  app.get('/me', async (c) => c.json(userJson(await requireUser(ctx, c))));

  app.get('/users', async (c) => {
    await requireAdmin(ctx, c);
    return c.json((await ctx.store.listUsers()).map(userJson));
  });

  app.post('/users', async (c) => {
    await requireAdmin(ctx, c);
    const body = (await c.req.json().catch(() => ({}))) as { name?: unknown; admin?: unknown };
    if (typeof body.name !== 'string' || !USER_NAME.test(body.name)) return fail(400, 'name: expected 1-40 letters, digits, ".", "_" or "-"');
    const token = newToken();
    try {
      const user = await ctx.store.addUser(body.name, body.admin === true, hashToken(token));
      return c.json<UserJson>({ ...userJson(user), token }, 201);
    } catch (err) {
      if (err instanceof DuplicateUserError) return fail(409, `a user named ${body.name} exists already`);
      throw err;
    }
  });

  app.post('/submissions', async (c) => {
    const user = await requireUser(ctx, c);
    const since = quotaDayStart();
    // Cheap checks first, before a byte of a possibly 2 GB body is read.
    const task = c.req.query('task');
    if (task !== undefined && isTask(task) && (await ctx.store.countSubmissionsSince(user.id, task, since)) >= ctx.settings.quota) {
      return fail(429, `quota reached: ${ctx.settings.quota} submissions per task per day`);
    }
    let upload;
    try {
      upload = await receiveUpload(c.req.raw, ctx.settings.uploadsDir, ctx.settings.maxUploadBytes);
    } catch (err) {
      if (err instanceof UploadError) return fail(err.status, err.message);
      throw err;
    }
    const discard = async (status: 400 | 429, message: string): Promise<never> => {
      await rm(upload.path, { force: true });
      return fail(status, message);
    };
    const { task: fieldTask, name } = upload.fields;
    if (!isTask(fieldTask)) return discard(400, `task: expected one of ${TASKS.join(', ')}`);
    if (!ctx.settings.tasks.includes(fieldTask)) return discard(400, `task: this server has no ground truth for ${fieldTask}`);
    const title = (name ?? '').trim();
    if (title.length === 0 || title.length > SUBMISSION_NAME_MAX) return discard(400, `name: expected 1-${SUBMISSION_NAME_MAX} characters`);
    // Kept first (with PostgreSQL: streamed into the database), then recorded: a recorded submission always has its file.
    const uploadKey = await ctx.uploads.put(upload.path);
    const sub = await ctx.store.createSubmission(
      { userId: user.id, task: fieldTask, name: title, fileName: upload.fileName.slice(0, 200), fileBytes: upload.bytes, uploadKey },
      { limit: ctx.settings.quota, since },
    );
    if (!sub) {
      await ctx.uploads.remove(uploadKey);
      return fail(429, `quota reached: ${ctx.settings.quota} submissions per task per day`);
    }
    await ctx.queue.enqueue(sub.id);
    return c.json({ id: sub.id, status: sub.status }, 202);
  });

  app.get('/submissions', async (c) => {
    const user = await requireUser(ctx, c);
    const all = user.admin && c.req.query('all') === '1';
    const subs = await ctx.store.listSubmissions({ userId: all ? undefined : user.id, limit: 200 });
    return c.json(subs.map(submissionJson));
  });

  // Details (errors, files, per-attribute tables) only for their owner or an admin.
  app.get('/submissions/:id', async (c) => {
    const user = await requireUser(ctx, c);
    const sub = await ctx.store.submission(intParam('id', c.req.param('id')));
    if (!sub || (sub.userId !== user.id && !user.admin)) return fail(404, 'no such submission of yours');
    return c.json(submissionJson(sub));
  });

  // The HTML report of `df2 report`, for the same viewers as the details.
  app.get('/submissions/:id/report', async (c) => {
    const user = await requireUser(ctx, c);
    const id = intParam('id', c.req.param('id'));
    const sub = await ctx.store.submission(id);
    if (!sub || (sub.userId !== user.id && !user.admin)) return fail(404, 'no such submission of yours');
    const html = sub.status === 'done' ? await ctx.store.report(id) : undefined;
    if (html === undefined) return fail(404, 'no report for this submission (yet)');
    return new Response(html, { headers: { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': "default-src 'none'; img-src data:; style-src 'unsafe-inline'" } });
  });

  app.get('/leaderboard', async (c) => {
    const task = c.req.query('task');
    if (!isTask(task)) return fail(400, `task: expected one of ${TASKS.join(', ')}`);
    const entries = await ctx.store.leaderboard(task);
    const viewer = await currentUser(ctx, c);
    return c.json<LeaderboardJson>({
      task, title: TASK_TITLES[task], primary: PRIMARY_FIGURE_NAME[task], stat_names: statNames(task),
      entries: entries.map((e) => ({
        rank: e.rank, submission_id: e.submissionId, name: e.name, user: e.userName, finished_at: e.finishedAt,
        stats: e.result.stats, per_category_ap: e.result.perCategoryAp ?? null,
        subsets: e.result.subsets ?? null, subset_stat_names: e.result.subsetStatNames ?? null,
        queries: e.result.queries ?? null, missed: e.result.missed ?? null,
        mine: viewer !== undefined && viewer.name === e.userName,
      })),
    });
  });

  return app;
}
