/**
 * `df2 import`'s library side: the release's password-protected zips to
 * checked splits on disk. See docs/import.md.
 */
export { importArchives, ImportInterrupted, type ImportOptions, type ImportProgress, type ImportResult } from './extract.js';
export { SplitCheck } from './split-check.js';
export { PASSWORD_ENV, PromptInterrupted, promptPassword, resolvePassword, type PasswordSource } from './password.js';
