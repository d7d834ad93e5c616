/**
 * Where the archives' password comes from: a file (--password-file), the
 * DF2_ZIP_PASSWORD environment variable, or a prompt on the terminal with no
 * echo. Never a command-line argument (other users see those in `ps`), and
 * never printed, logged or put in an error message: errors name the file,
 * not its content.
 */
import { readFile } from 'node:fs/promises';
import { InputError } from '../../util/errors.js';

export const PASSWORD_ENV = 'DF2_ZIP_PASSWORD';

export interface PasswordSource {
  passwordFile?: string;
  env?: NodeJS.ProcessEnv;
  /** Asks on the terminal; undefined when there is none. */
  prompt?: () => Promise<string | undefined>;
}

/** The password as the bytes the archive was encrypted with (UTF-8), or undefined when no source gives one. */
export async function resolvePassword(source: PasswordSource): Promise<Uint8Array | undefined> {
  if (source.passwordFile !== undefined) {
    let text: string;
    try {
      text = await readFile(source.passwordFile, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new InputError(source.passwordFile, '', 'a readable password file', code === 'ENOENT' ? 'no such file' : (code ?? 'an error'));
    }
    // One trailing line break is what `echo pw > file` adds, not part of the password.
    const password = text.replace(/\r?\n$/, '');
    if (password === '') throw new InputError(source.passwordFile, '', 'a password on its first line', 'an empty file');
    return Buffer.from(password, 'utf8');
  }
  const fromEnv = (source.env ?? process.env)[PASSWORD_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return Buffer.from(fromEnv, 'utf8');
  const typed = await source.prompt?.();
  return typed === undefined || typed === '' ? undefined : Buffer.from(typed, 'utf8');
}

/** Thrown when the user presses Ctrl-C at the password prompt. */
export class PromptInterrupted extends Error {}

/**
 * Asks for the password on the terminal (stdin a TTY), echoing nothing.
 * Resolves undefined when stdin is not a terminal.
 */
export function promptPassword(question = 'Password: '): Promise<string | undefined> {
  const input = process.stdin;
  if (!input.isTTY) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    // Echo off before the prompt shows: what is typed as soon as it appears must not be echoed either.
    input.setRawMode(true);
    process.stderr.write(question);
    input.resume();
    input.setEncoding('utf8');
    let typed = '';
    const finish = (done: () => void): void => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      process.stderr.write('\n');
      done();
    };
    const onData = (chunk: string): void => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n' || char === '\u0004') return finish(() => resolve(typed));
        if (char === '\u0003') return finish(() => reject(new PromptInterrupted()));
        if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1);
        else typed += char;
      }
    };
    input.on('data', onData);
  });
}
