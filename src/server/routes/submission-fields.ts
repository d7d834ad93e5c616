/**
 * A submission's words and marks as a request sends them: the upload form's
 * fields and the body of `PATCH /api/submissions/:id`, checked by one zod
 * schema per field so that both routes refuse the same value with the same
 * line (`name: expected 1-80 characters`). Text is stored trimmed; an empty
 * address is none (null); a flag is a JSON boolean or the form's spelling of
 * one.
 */
import { z } from 'zod';

const NAME_MAX = 80;
const DESCRIPTION_MAX = 2000;
const URL_MAX = 500;

/** Control characters (NUL, which PostgreSQL cannot store, among them); a description keeps its tabs and line breaks. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// eslint-disable-next-line no-control-regex -- as above
const CONTROL_BUT_LINES = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
/** Bidirectional controls: shown to others, they reorder what follows (a name that reads as another). */
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/**
 * Text of at most `max` characters once trimmed (at least one when `required`), without control characters or
 * bidirectional marks; `lines`: tabs and line breaks allowed.
 */
function text(key: string, max: number, options: { required: boolean; lines?: boolean }): z.ZodPipe<z.ZodString, z.ZodTransform<string, string>> {
  const length = `${key}: expected ${options.required ? 1 : 0}-${max} characters`;
  const control = options.lines ? CONTROL_BUT_LINES : CONTROL;
  return z
    .string(length)
    .refine((v) => v.trim().length <= max && (!options.required || v.trim() !== ''), length)
    .refine(
      (v) => !control.test(v) && !BIDI.test(v),
      `${key}: expected text without control characters${options.lines ? ' (but tabs and line breaks)' : ''} or bidirectional marks`,
    )
    .transform((v) => v.trim());
}

/** An http(s) address, normalised by the URL parser; empty: none (null). */
function address(key: string): z.ZodPipe<ReturnType<typeof text>, z.ZodTransform<string | null, string>> {
  return text(key, URL_MAX, { required: false }).transform((v, ctx) => {
    if (v === '') return null;
    let parsed: URL | undefined;
    try {
      parsed = new URL(v);
    } catch {
      parsed = undefined;
    }
    if (parsed && (parsed.protocol === 'http:' || parsed.protocol === 'https:')) return parsed.href;
    ctx.addIssue({ code: 'custom', message: `${key}: expected an http:// or https:// address` });
    return z.NEVER;
  });
}

/** true or false as JSON sends it, or as a form does (`true`/`1`/`on`, `false`/`0`/empty). */
const flag = (key: string) =>
  z.union(
    [z.literal([true, 'true', '1', 'on']).transform(() => true), z.literal([false, 'false', '0', '']).transform(() => false)],
    `${key}: expected true or false`,
  );

const name = text('name', NAME_MAX, { required: true });
const description = text('description', DESCRIPTION_MAX, { required: false, lines: true });

/**
 * The upload form's fields (multipart, beside `phase`, `task` and the file): a name is required; the rest default
 * to no description, no addresses and a public submission. Other fields are not read.
 *
 * @example
 * const meta = UPLOAD_FIELDS.parse({ name: 'ResNet', public: 'on' }); // { name: 'ResNet', description: '', paperUrl: null, codeUrl: null, public: true }
 */
export const UPLOAD_FIELDS = z
  .object({
    name,
    description: description.optional(),
    paper_url: address('paper_url').optional(),
    code_url: address('code_url').optional(),
    public: flag('public').optional(),
  })
  .transform((f) => ({ name: f.name, description: f.description ?? '', paperUrl: f.paper_url ?? null, codeUrl: f.code_url ?? null, public: f.public ?? true }));

/**
 * The body of `PATCH /api/submissions/:id`: only the fields present change (who may change which is the route's
 * question, asked before this). `baseline` and `hidden` are the admins' marks.
 *
 * @example
 * const patch = SUBMISSION_PATCH.parse({ code_url: '', hidden: true }); // { codeUrl: null, hidden: true }
 */
export const SUBMISSION_PATCH = z
  .object({
    name: name.optional(),
    description: description.optional(),
    paper_url: address('paper_url').optional(),
    code_url: address('code_url').optional(),
    public: flag('public').optional(),
    baseline: flag('baseline').optional(),
    hidden: flag('hidden').optional(),
  })
  .transform(({ paper_url: paperUrl, code_url: codeUrl, ...rest }) => {
    const patch = { ...rest, ...(paperUrl !== undefined && { paperUrl }), ...(codeUrl !== undefined && { codeUrl }) };
    // Absent fields stay absent (an update of only the fields sent).
    return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as {
      name?: string;
      description?: string;
      paperUrl?: string | null;
      codeUrl?: string | null;
      public?: boolean;
      baseline?: boolean;
      hidden?: boolean;
    };
  });

/**
 * An uploaded file's name as others see it (admins, downloads): control characters and bidirectional marks
 * replaced by `_`.
 *
 * @example
 * shownFileName('evil\u202Egnp.json'); // 'evil_gnp.json'
 */
export const shownFileName = (fileName: string): string => fileName.replace(new RegExp(`${CONTROL.source}|${BIDI.source}`, 'gu'), '_');
