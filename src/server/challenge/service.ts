/**
 * What can be done to a submission, in one place for every caller (the HTTP
 * routes, `df2 serve --demo`'s baselines, the evaluator of `df2 serve` and
 * `df2 worker`): reserve its place against the phase's rules and limits,
 * keep its file and record it, queue it, cancel it, re-run it, edit its
 * words, mark it as a baseline, hide it and reveal it again; and, for the
 * evaluator, claim it and record the outcome of an evaluation. Each step
 * keeps the store, the uploads and the queue in agreement: a recorded
 * submission always has its file, a refused or failed one leaves neither
 * file nor reservation behind. Refusals are values (a status and the one
 * line the user reads), so that each caller reports them its own way.
 */
import { copyFile, rm, stat } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { basename, join } from 'node:path';
import type { Phase } from './config.js';
import { closedReason, limitMessage, limitWindows } from './phases.js';
import {
  isTask,
  TASKS,
  PATCH_FIELD_NAMES,
  type EvaluationResult,
  type JobQueue,
  type Store,
  type Submission,
  type SubmissionMeta,
  type SubmissionPatch,
  type Task,
  type UploadStore,
  type User,
} from './types.js';

/** Why a step was refused: the HTTP status that says it and the line the user reads. */
interface Refusal {
  status: 400 | 403 | 404 | 409 | 429;
  message: string;
}

/** A results file received on this machine (it is taken over: moved, or deleted once kept). */
interface ReceivedFile {
  path: string;
  fileName: string;
  bytes: number;
}

/** The fields of a submission its owner may change, as the API names them. */
const OWNER_FIELDS = ['public', 'name', 'description', 'paper_url', 'code_url'] as const;
/** The marks only admins set, on any submission. */
const ADMIN_MARKS = ['baseline', 'hidden'] as const;
/** A patch's fields as the API names them (the names refusals speak of). */
const API_NAMES: Record<keyof SubmissionPatch, (typeof OWNER_FIELDS)[number] | (typeof ADMIN_MARKS)[number]> = PATCH_FIELD_NAMES;

export class SubmissionService {
  constructor(private readonly deps: { store: Store; uploads: UploadStore; queue: JobQueue }) {}

  /**
   * Reserves a submission's place before a byte of its file is kept: the
   * task must be the phase's, the phase open at `at`, and every limit
   * window of the phase must have room (`limits: false`: an admin's
   * baseline, which no limit counts).
   *
   * @example
   * const got = await service.reserve(user.id, phase, 'bbox', new Date());
   * if ('refused' in got) console.log(got.refused.status, got.refused.message);
   */
  async reserve(
    userId: number,
    phase: Phase,
    task: string | undefined,
    at: Date,
    options: { limits?: boolean } = {},
  ): Promise<{ id: number } | { refused: Refusal }> {
    if (!isTask(task)) return { refused: { status: 400, message: `task: expected one of ${TASKS.join(', ')}` } };
    if (!phase.tasks.includes(task))
      return { refused: { status: 400, message: `task: phase ${phase.name} has ${phase.tasks.join(', ') || 'no task'}, not ${task}` } };
    const closed = closedReason(phase, at);
    if (closed) return { refused: { status: 403, message: closed } };
    const windows = options.limits === false ? [] : limitWindows(phase.limits, at, { countsFailed: phase.scores === 'after_end' });
    const got = await this.deps.store.reserveSubmission({ userId, phase: phase.name, task, createdAt: at.toISOString() }, windows);
    if ('full' in got) return { refused: { status: 429, message: limitMessage(got.full, phase.name, task) } };
    return got;
  }

  /**
   * Keeps the received file (with PostgreSQL: streamed into the database),
   * then records the reserved submission as queued and queues it. Anything
   * failing on the way undoes it all: the received file, the kept upload,
   * the reservation.
   */
  async complete(
    reservation: number,
    file: ReceivedFile,
    meta: SubmissionMeta,
    marks: { baseline?: boolean } = {},
  ): Promise<{ id: number } | { refused: Refusal }> {
    const { store, uploads, queue } = this.deps;
    let uploadKey: string | undefined;
    try {
      uploadKey = await uploads.put(file.path);
      const recorded = await store.completeSubmission(reservation, {
        ...meta,
        fileName: basename(file.fileName).slice(0, 200),
        fileBytes: file.bytes,
        uploadKey,
      });
      if (!recorded) {
        await this.undo(reservation, file, uploadKey);
        return { refused: { status: 409, message: 'the submission was dropped while it was uploaded (its reservation ran out or the server restarted)' } };
      }
    } catch (err) {
      await this.undo(reservation, file, uploadKey);
      throw err;
    }
    // Recorded with its file (nothing to undo any more); marked before it is queued, so no evaluation finishes unmarked.
    if (marks.baseline) await this.markBaseline(reservation, true);
    await queue.enqueue(reservation);
    return { id: reservation };
  }

  /** Gives a reservation's place back and removes what was received for it. */
  async undo(reservation: number | undefined, file?: ReceivedFile, uploadKey?: string): Promise<void> {
    if (file) await rm(file.path, { force: true });
    if (uploadKey !== undefined) await this.deps.uploads.remove(uploadKey);
    if (reservation !== undefined) await this.deps.store.discardReservation(reservation);
  }

  /**
   * A results file on this machine as an admin's baseline submission (the
   * demo's): no limit counts it, and it is marked as a baseline. The file is
   * copied, never moved. Returns the refusal when the phase does not take it.
   *
   * @example
   * await service.submitBaseline(admin.id, phase, 'bbox', 'baseline/bbox.json', uploadsDir, meta);
   */
  async submitBaseline(
    userId: number,
    phase: Phase,
    task: Task,
    file: string,
    receiveDir: string,
    meta: SubmissionMeta,
    at = new Date(),
  ): Promise<{ id: number } | { refused: Refusal }> {
    const reserved = await this.reserve(userId, phase, task, at, { limits: false });
    if ('refused' in reserved) return reserved;
    const received = join(receiveDir, `${randomUUID()}.json`);
    try {
      await copyFile(file, received);
    } catch (err) {
      await this.undo(reserved.id, { path: received, fileName: '', bytes: 0 });
      throw err;
    }
    return this.complete(reserved.id, { path: received, fileName: basename(file), bytes: (await stat(received)).size }, meta, { baseline: true });
  }

  /** queued -> cancelled, by its owner only. */
  async cancel(submission: Submission, userId: number): Promise<Refusal | undefined> {
    if (submission.userId !== userId) return { status: 403, message: 'only its owner cancels a submission' };
    if (!(await this.deps.store.cancelSubmission(submission.id, userId)))
      return { status: 409, message: `only a queued submission can be cancelled; this one is ${submission.status}` };
    return undefined;
  }

  /** done or failed -> queued again (an admin's re-run: figures and report forgotten, attempts counted afresh), and queued. */
  async rerun(id: number): Promise<Refusal | undefined> {
    const submission = await this.deps.store.submission(id);
    if (!submission) return { status: 404, message: 'no such submission' };
    if (!(await this.deps.store.rerunSubmission(id)))
      return { status: 409, message: `only a done or failed submission can be re-run; this one is ${submission.status}` };
    await this.deps.queue.enqueue(id);
    return undefined;
  }

  /**
   * Whether `user` may change these fields of `submission`: its owner changes its words and the public flag,
   * admins the marks (`baseline`, `hidden`); an admin never changes another's words. Asked by the route before
   * any value is read, and again by `edit`.
   */
  mayEdit(submission: Submission, user: User, keys: readonly string[]): Refusal | undefined {
    const allowed: readonly string[] = user.admin ? [...OWNER_FIELDS, ...ADMIN_MARKS] : OWNER_FIELDS;
    for (const key of keys) {
      const mark = (ADMIN_MARKS as readonly string[]).includes(key);
      if (!allowed.includes(key))
        return { status: mark ? 403 : 400, message: `${key}: ${mark ? 'only admins may change it' : `expected one of ${allowed.join(', ')}`}` };
    }
    if (submission.userId !== user.id && keys.some((k) => !(ADMIN_MARKS as readonly string[]).includes(k)))
      return { status: 403, message: 'only the owner changes the metadata' };
    return undefined;
  }

  /**
   * Changes the fields of `patch` (checked values: the route's schema) if `user` may (mayEdit), in one update:
   * the owner's words and public flag, an admin's marks (`hidden: true` hides a submission from every leaderboard,
   * `hidden: false` reveals it again; `baseline` shows it unranked).
   *
   * @example
   * const refused = await service.edit(sub, user, { codeUrl: null, public: true });
   */
  async edit(submission: Submission, user: User, patch: SubmissionPatch): Promise<Refusal | undefined> {
    const keys = (Object.keys(patch) as (keyof SubmissionPatch)[]).map((k) => API_NAMES[k]);
    const refused = this.mayEdit(submission, user, keys);
    if (refused) return refused;
    await this.deps.store.updateSubmission(submission.id, patch);
    return undefined;
  }

  /** Marks a submission as a baseline (shown on the leaderboard, never ranked), or takes the mark away. */
  async markBaseline(id: number, baseline: boolean): Promise<void> {
    await this.deps.store.updateSubmission(id, { baseline });
  }

  /** The evaluator takes a queued submission: its claim number (never given twice), or undefined when it is not queued. */
  claim(id: number, workerId: string): Promise<number | undefined> {
    return this.deps.store.claimSubmission(id, workerId);
  }

  /** Records an evaluation's figures while `claim` is still the submission's: false when it was lost (nothing recorded). */
  finish(id: number, claim: number, result: EvaluationResult, resampleFigures?: Float64Array): Promise<boolean> {
    return this.deps.store.finishSubmission(id, claim, result, resampleFigures);
  }

  /** Records the report of a finished evaluation, under the same condition as `finish`. */
  saveReport(id: number, claim: number, html: string): Promise<boolean> {
    return this.deps.store.saveReport(id, claim, html);
  }

  /** Records that the evaluation failed, with the line its owner reads, under the same condition as `finish`. */
  fail(id: number, claim: number, error: string): Promise<boolean> {
    return this.deps.store.failSubmission(id, claim, error);
  }

  /**
   * Gives an interrupted evaluation back (queued again, its attempt counted), under the same condition as
   * `finish`. The caller queues it: how a queue that does not answer is handled differs (see the evaluator).
   */
  requeue(id: number, claim: number): Promise<boolean> {
    return this.deps.store.requeueSubmission(id, claim);
  }

  /**
   * A worker's heartbeat: its row (GET /api/health lists it) and the leases of the claims it has running renewed, in
   * one transaction; a claim that is no longer the submission's renews nothing.
   */
  heartbeat(worker: { id: string; host: string; pid: number }, running: { id: number; claim: number }[]): Promise<void> {
    return this.deps.store.heartbeat(worker, running);
  }

  /**
   * Claims without a heartbeat for `leaseSeconds` go back to the queue (or fail, out of attempts), reservations
   * older than `reservationSeconds` are dropped, and every queued submission is queued again; 0 and 0: everything
   * that was running or uploading (a server that owns its database, at its start). Returns the queued ids.
   */
  async recover(maxAttempts: number, leaseSeconds: number, reservationSeconds: number): Promise<number[]> {
    const queued = await this.deps.store.recoverInterrupted(maxAttempts, leaseSeconds, reservationSeconds);
    await this.deps.queue.enqueueMany(queued);
    return queued;
  }
}
