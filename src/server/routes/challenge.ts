/**
 * The challenge's API: the challenge and its phases, submissions (upload,
 * metadata, cancel, admin re-run), leaderboards (JSON, CSV). Ground truth
 * is never served; figures a phase withholds reach admins only.
 */
import { Hono, type Context } from 'hono';
import type { AppContext } from '../context.js';
import { isTask, TASKS, type Submission, type Task, type User } from '../challenge/types.js';
import { PRIMARY_FIGURE_NAME, TASK_TITLES, statNames } from '../challenge/tasks.js';
import type { Phase } from '../challenge/config.js';
import { submissionView } from '../challenge/visibility.js';
import { ComparisonCache, neighbourComparisons, type NeighbourComparison } from '../challenge/board-intervals.js';
import { csvField, figuresHidden, findPhase, phaseState, rankBoard, type BoardRow } from '../challenge/phases.js';
import { receiveUpload, UploadError } from '../challenge/upload.js';
import { descriptionHtml } from '../challenge/description.js';
import { checked, currentUser, fail, intParam, jsonObject, requireAdmin, requireUser } from '../http.js';
import { shownFileName, SUBMISSION_PATCH, UPLOAD_FIELDS } from './submission-fields.js';
import type { ChallengeJson, LeaderboardEntryJson, LeaderboardJson, SubmissionJson, TaskJson } from '../../shared/api-types.js';

const PER_PAGE = 50;
const MAX_PER_PAGE = 500;

/** The submission as `viewer` may see it: figures withheld while its phase hides them from non-admins. */
function submissionJson(s: Submission, hiddenUntil: string | null): SubmissionJson {
  const showFigures = hiddenUntil === null;
  return {
    id: s.id,
    user: s.userName,
    team: s.team,
    phase: s.phase,
    task: s.task,
    name: s.name,
    description: s.description,
    paper_url: s.paperUrl,
    code_url: s.codeUrl,
    public: s.public,
    baseline: s.baseline,
    hidden: s.hidden,
    file_name: s.fileName,
    file_bytes: s.fileBytes,
    status: s.status,
    attempts: s.attempts,
    error: s.error,
    stats: showFigures ? (s.result?.stats ?? null) : null,
    stat_names: s.result?.statNames ?? statNames(s.task),
    result: showFigures ? s.result : null,
    figures_hidden_until: hiddenUntil,
    created_at: s.createdAt,
    started_at: s.startedAt,
    finished_at: s.finishedAt,
  };
}

/** The form fields a submission's place is reserved by, which must precede the file part (the phase only when there are several). */
function fieldsNeededBeforeFile(phases: number): ('phase' | 'task')[] {
  return phases > 1 ? ['phase', 'task'] : ['task'];
}

export function challengeRoutes(ctx: AppContext): Hono {
  const app = new Hono();
  const { challenge } = ctx.settings;
  const renderedDescription = descriptionHtml(challenge.description);
  const now = (): Date => ctx.settings.now();
  const service = ctx.submissions;
  const phaseOf = (name: string | undefined): Phase => {
    const found = findPhase(challenge, name);
    return typeof found === 'string' ? fail(400, found) : found;
  };
  const phaseByName = (name: string): Phase | undefined => challenge.phases.find((p) => p.name === name);
  const hiddenUntil = (s: Submission, viewer: User): string | null => submissionView(challenge, s, viewer, now()).figuresHiddenUntil;
  /** The submission of the path, for those who may see it (its owner, admins); anyone else gets the same 404 as for none. */
  const ownSubmission = async (c: Context, user: User): Promise<Submission> => {
    const sub = await ctx.store.submission(intParam('id', c.req.param('id')));
    if (!sub || !submissionView(challenge, sub, user, now()).visible) return fail(404, 'no such submission of yours');
    return sub;
  };

  app.get('/challenge', (c) =>
    c.json<ChallengeJson>({
      title: challenge.title,
      description: challenge.description,
      description_html: renderedDescription,
      registration: challenge.registration,
      phases: challenge.phases.map((p) => ({
        name: p.name,
        tasks: p.tasks,
        start: p.start ?? null,
        end: p.end ?? null,
        state: phaseState(p, now()),
        limits: { per_day: p.limits.perDay ?? null, per_month: p.limits.perMonth ?? null, total: p.limits.total ?? null },
        leaderboard: p.leaderboard,
        scores: p.scores,
        rule: p.rule,
        intervals: p.intervals ? { resamples: p.intervals.resamples, level: p.intervals.level } : null,
      })),
    }),
  );

  app.get('/tasks', (c) =>
    c.json(
      TASKS.map((task): TaskJson => ({
        task,
        title: TASK_TITLES[task],
        available: ctx.settings.tasks.includes(task),
        stat_names: statNames(task),
        primary: PRIMARY_FIGURE_NAME[task],
      })),
    ),
  );

  app.post('/submissions', async (c) => {
    const user = await requireUser(ctx, c);
    let reservation: number | undefined;
    /** Checks phase and task and reserves the submission's place: before a byte of the file is written. */
    const reserve = async (fields: Record<string, string>): Promise<void> => {
      if (reservation !== undefined) return;
      const got = await service.reserve(user.id, phaseOf(fields.phase), fields.task, now());
      if ('refused' in got) return fail(got.refused.status, got.refused.message);
      reservation = got.id;
    };
    const query = { phase: c.req.query('phase'), task: c.req.query('task') };
    // Named in the query: refused or reserved before the body is read at all.
    if (query.task !== undefined) await reserve(Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined)) as Record<string, string>);
    /**
     * At the file part: the fields sent after it are not read yet, and the file is not written before its place is
     * reserved. A phase or task missing there may still come later in the body: the refusal says that order matters.
     */
    const reserveAtFile = async (fields: Record<string, string>): Promise<void> => {
      if (reservation !== undefined) return;
      const named = { ...Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined)), ...fields } as Record<string, string>;
      const missing = fieldsNeededBeforeFile(challenge.phases.length).find((key) => named[key] === undefined);
      if (missing !== undefined) {
        const expected = missing === 'phase' ? challenge.phases.map((p) => p.name) : TASKS;
        fail(400, `${missing}: expected one of ${expected.join(', ')} before the file (field order matters: send phase and task before file, or in the query)`);
      }
      await reserve(named);
    };
    let upload;
    try {
      upload = await receiveUpload(c.req.raw, ctx.settings.uploadsDir, ctx.settings.maxUploadBytes, reserveAtFile);
    } catch (err) {
      await service.undo(reservation);
      if (err instanceof UploadError) return fail(err.status, err.message);
      throw err;
    }
    let done;
    try {
      const { fields } = upload;
      for (const key of ['phase', 'task'] as const) {
        if (query[key] !== undefined && fields[key] !== undefined && fields[key] !== query[key])
          fail(400, `${key}: the query and the form name different ones`);
      }
      if (reservation === undefined) await reserve(fields);
      const meta = checked(UPLOAD_FIELDS, fields, 'expected the form fields of a submission');
      // A file name is shown to admins and in downloads: no control or bidirectional characters in it.
      done = await service.complete(reservation!, { path: upload.path, fileName: shownFileName(upload.fileName), bytes: upload.bytes }, meta);
    } catch (err) {
      // A refusal before the file was handed over (the form's fields): it goes, and the reservation too.
      await service.undo(reservation, { path: upload.path, fileName: '', bytes: 0 });
      throw err;
    }
    if ('refused' in done) return fail(done.refused.status, done.refused.message);
    return c.json({ id: done.id, status: 'queued' }, 202);
  });

  app.get('/submissions', async (c) => {
    const user = await requireUser(ctx, c);
    const all = user.admin && c.req.query('all') === '1';
    const subs = await ctx.store.listSubmissions({ userId: all ? undefined : user.id, limit: 200 });
    return c.json(subs.map((s) => submissionJson(s, hiddenUntil(s, user))));
  });

  // Details (errors, files, per-attribute tables) only for their owner or an admin.
  app.get('/submissions/:id', async (c) => {
    const user = await requireUser(ctx, c);
    const sub = await ownSubmission(c, user);
    return c.json(submissionJson(sub, hiddenUntil(sub, user)));
  });

  app.patch('/submissions/:id', async (c) => {
    const user = await requireUser(ctx, c);
    const sub = await ownSubmission(c, user);
    const body = await jsonObject(c, 'a JSON object of the fields to change');
    // Who may change what: refused before any value is looked at.
    const refused =
      service.mayEdit(sub, user, Object.keys(body)) ??
      (await service.edit(sub, user, checked(SUBMISSION_PATCH, body, 'expected a JSON object of the fields to change')));
    if (refused) return fail(refused.status, refused.message);
    const after = (await ctx.store.submission(sub.id))!;
    return c.json(submissionJson(after, hiddenUntil(after, user)));
  });

  app.post('/submissions/:id/cancel', async (c) => {
    const user = await requireUser(ctx, c);
    const sub = await ownSubmission(c, user);
    const refused = await service.cancel(sub, user.id);
    if (refused) return fail(refused.status, refused.message);
    return c.json({ id: sub.id, status: 'cancelled' });
  });

  app.post('/submissions/:id/rerun', async (c) => {
    await requireAdmin(ctx, c);
    const id = intParam('id', c.req.param('id'));
    // The re-run forgets the figures and the report of the earlier run.
    const refused = await service.rerun(id);
    if (refused) return fail(refused.status, refused.message);
    return c.json({ id, status: 'queued' }, 202);
  });

  // The HTML report of `df2 report`, for the same viewers as the figures, without the server's paths.
  app.get('/submissions/:id/report', async (c) => {
    const user = await requireUser(ctx, c);
    const sub = await ownSubmission(c, user);
    if (hiddenUntil(sub, user) !== null) return fail(404, 'no report while the phase hides its figures');
    const html = sub.status === 'done' ? await ctx.store.report(sub.id) : undefined;
    if (html === undefined) return fail(404, 'no report for this submission (yet)');
    // The worker's page names the owner's file and `<ground truth>`; this is a second guard against a server path.
    const phase = phaseByName(sub.phase);
    const clean = scrubPaths(html, [[ctx.settings.uploadsDir, '<uploads>'], ...(phase ? [[phase.gtDir, '<ground truth>'] as [string, string]] : [])]);
    return new Response(clean, {
      headers: {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': "default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'none'",
      },
    });
  });

  /** Leaderboard neighbours compared so far (phases with intervals): a board asked for again pairs only rows that moved. */
  const comparisons = new ComparisonCache();
  /** The rows a viewer may see; a private board is a 404 to all but admins. */
  const board = async (c: Context): Promise<Board> => {
    const phase = phaseOf(c.req.query('phase'));
    const task = c.req.query('task');
    if (!isTask(task) || !phase.tasks.includes(task)) return fail(400, `task: expected one of ${phase.tasks.join(', ')} (the tasks of phase ${phase.name})`);
    const viewer = await currentUser(ctx, c);
    const admin = viewer?.admin === true;
    if (phase.leaderboard === 'private' && !admin) return fail(404, 'no such leaderboard');
    const names = statNames(task);
    const orderBy = c.req.query('order_by') ?? PRIMARY_FIGURE_NAME[task];
    if (!names.includes(orderBy)) return fail(400, `order_by: expected one of ${names.join(', ')}`);
    const none = new Map<number, NeighbourComparison>();
    if (figuresHidden(phase, now(), admin)) return { phase, task, rows: [], orderBy, hiddenUntil: phase.end ?? '', viewer, comparisons: none };
    const candidates = await ctx.store.boardCandidates(phase.name, task, !admin || c.req.query('all') !== '1');
    const rows = rankBoard(candidates, phase.rule, names.indexOf(PRIMARY_FIGURE_NAME[task]), names.indexOf(orderBy));
    // Neighbours are compared by the figure the board is ranked by; sorted by another, "the team above" is another question.
    const { intervals } = phase;
    const compare = intervals && orderBy === PRIMARY_FIGURE_NAME[task];
    return {
      phase,
      task,
      rows,
      orderBy,
      hiddenUntil: null,
      viewer,
      comparisons: none,
      compared: compare ? (from, to) => neighbourComparisons(ctx.store, rows, from, to, intervals, comparisons) : undefined,
    };
  };

  app.get('/leaderboard', async (c) => {
    const b = await board(c);
    const page = c.req.query('page') === undefined ? 1 : Math.max(1, intParam('page', c.req.query('page'), 6));
    const perPage = c.req.query('per_page') === undefined ? PER_PAGE : intParam('per_page', c.req.query('per_page'), 3);
    if (perPage < 1 || perPage > MAX_PER_PAGE) return fail(400, `per_page: expected 1..${MAX_PER_PAGE}`);
    // Only the page's rows (and the one above its first) are read and compared: the page stays as fast as without intervals.
    if (b.compared) b.comparisons = await b.compared((page - 1) * perPage, page * perPage);
    return c.json(leaderboardJson(b, { page, perPage }));
  });

  const download = (c: Context, body: string, type: string, name: string): Response =>
    new Response(body, {
      headers: { 'content-type': type, 'content-disposition': `attachment; filename="${name}"` },
    });

  app.get('/leaderboard.csv', async (c) => {
    const b = await board(c);
    const { phase, task, rows, hiddenUntil: hidden } = b;
    if (hidden !== null) return fail(403, `phase ${phase.name} shows its figures after ${hidden}`);
    if (b.compared) b.comparisons = await b.compared(0, rows.length);
    const names = statNames(task);
    const primary = PRIMARY_FIGURE_NAME[task];
    // A phase with intervals adds the primary figure's bounds and the comparison with the team above.
    const intervalHeader = phase.intervals ? [`${primary}_low`, `${primary}_high`, 'above_beats', 'significant_vs_above'] : [];
    const header = [
      'rank',
      'team',
      'user',
      'name',
      'submission_id',
      'baseline',
      'created_at',
      'description',
      'paper_url',
      'code_url',
      ...names,
      ...intervalHeader,
    ];
    const lines = [header.map(csvField).join(',')];
    for (const r of rows) {
      const vs = b.comparisons.get(r.submissionId);
      const interval = phase.intervals
        ? [r.result.interval?.low ?? null, r.result.interval?.high ?? null, vs?.aboveBeats ?? null, vs?.significant ?? null]
        : [];
      lines.push(
        [r.rank, r.team, r.userName, r.name, r.submissionId, r.baseline, r.createdAt, r.description, r.paperUrl, r.codeUrl, ...r.result.stats, ...interval]
          .map(csvField)
          .join(','),
      );
    }
    return download(c, `${lines.join('\r\n')}\r\n`, 'text/csv; charset=utf-8', `leaderboard-${phase.name}-${task}.csv`);
  });

  app.get('/leaderboard.json', async (c) => {
    const b = await board(c);
    if (b.hiddenUntil !== null) return fail(403, `phase ${b.phase.name} shows its figures after ${b.hiddenUntil}`);
    if (b.compared) b.comparisons = await b.compared(0, b.rows.length);
    return download(c, JSON.stringify(leaderboardJson(b), null, 1), 'application/json', `leaderboard-${b.phase.name}-${b.task}.json`);
  });

  return app;
}

/** A leaderboard as the viewer may see it. */
interface Board {
  phase: Phase;
  task: Task;
  rows: BoardRow[];
  orderBy: string;
  hiddenUntil: string | null;
  viewer: User | undefined;
  /** Each shown row's comparison with the team above (phases with intervals), by submission id. */
  comparisons: Map<number, NeighbourComparison>;
  /** Compares rows[from..to) with their neighbours above; undefined when the board has no intervals or is sorted by another figure. */
  compared?: (from: number, to: number) => Promise<Map<number, NeighbourComparison>>;
}

/**
 * The leaderboard's JSON: one page of its rows (the paged route), or every row when no page is
 * given (the .json download).
 *
 * @example
 * const json = leaderboardJson(await board(c), { page: 2, perPage: 50 });
 */
function leaderboardJson(b: Board, paging?: { page: number; perPage: number }): LeaderboardJson {
  const names = statNames(b.task);
  const rows = paging ? b.rows.slice((paging.page - 1) * paging.perPage, paging.page * paging.perPage) : b.rows;
  return {
    phase: b.phase.name,
    task: b.task,
    title: TASK_TITLES[b.task],
    primary: PRIMARY_FIGURE_NAME[b.task],
    order_by: b.orderBy,
    stat_names: names,
    rule: b.phase.rule,
    entries: rows.map((r) => entryJson(r, names, b.viewer, b.phase.intervals !== undefined, b.comparisons.get(r.submissionId))),
    total: b.rows.length,
    page: paging?.page ?? 1,
    per_page: paging?.perPage ?? b.rows.length,
    hidden_until: b.hiddenUntil,
    intervals: b.phase.intervals ? { figure: PRIMARY_FIGURE_NAME[b.task], level: b.phase.intervals.level, resamples: b.phase.intervals.resamples } : null,
  };
}

function entryJson(r: BoardRow, names: string[], viewer: User | undefined, intervals: boolean, vs: NeighbourComparison | undefined): LeaderboardEntryJson {
  // A phase that no longer asks for intervals shows none, even of submissions evaluated while it did.
  const interval = intervals ? r.result.interval : undefined;
  return {
    rank: r.rank,
    submission_id: r.submissionId,
    team: r.team,
    user: r.userName,
    name: r.name,
    description: r.description,
    paper_url: r.paperUrl,
    code_url: r.codeUrl,
    baseline: r.baseline,
    created_at: r.createdAt,
    finished_at: r.finishedAt,
    stats: Object.fromEntries(names.map((n, k) => [n, r.result.stats[k]!])),
    per_category_ap: r.result.perCategoryAp ?? null,
    subsets: r.result.subsets ?? null,
    subset_stat_names: r.result.subsetStatNames ?? null,
    queries: r.result.queries ?? null,
    missed: r.result.missed ?? null,
    mine: viewer !== undefined && viewer.name === r.userName,
    interval: interval ? { low: interval.low, high: interval.high, level: interval.level } : null,
    vs_above: vs ? { difference: vs.difference, low: vs.low, high: vs.high, above_beats: vs.aboveBeats, significant: vs.significant } : null,
  };
}

const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** Replaces each server path (as written and HTML-escaped) by what the viewer may see. */
export function scrubPaths(text: string, replacements: [string, string][]): string {
  let out = text;
  // Longest first, so that a file inside a directory is named, not half-replaced.
  for (const [path, shown] of [...replacements].filter(([p]) => p.length > 1).sort((a, b) => b[0].length - a[0].length)) {
    out = out.split(path).join(escapeHtml(shown)).split(escapeHtml(path)).join(escapeHtml(shown));
  }
  return out;
}
