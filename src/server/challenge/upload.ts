/**
 * Receives a multipart submission (fields such as phase, task and name, one
 * file) and streams the file to disk (mode 600, in a directory of mode 700):
 * never held in memory, a file of exactly the limit accepted, refused with 413 as soon
 * as the declared Content-Length or the bytes counted so far (of the file or
 * of the whole body) pass the limit,
 * and fsynced (file and directory) before the caller records it, so that an
 * accepted submission survives a crash.
 */
import busboy from 'busboy';
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ignoreRejection } from '../../util/ignore-rejection.js';

export class UploadError extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    message: string,
  ) {
    super(message);
  }
}

interface ReceivedUpload {
  fields: Record<string, string>;
  /** Final path of the stored file. */
  path: string;
  bytes: number;
  /** File name given by the client (display only). */
  fileName: string;
}

/** Room for the multipart headers and small fields around the file. */
const ENVELOPE_BYTES = 64 * 1024;

async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Partial uploads are named `.UUID.part` until complete. */
const PART = /^\.[0-9a-f-]{36}\.part$/;

/** Deletes the partial uploads a crash left behind (at start, before any upload is taken). */
export async function removePartialUploads(dir: string): Promise<number> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const parts = names.filter((n) => PART.test(n));
  await Promise.all(parts.map((n) => rm(join(dir, n), { force: true })));
  return parts.length;
}

/**
 * `beforeFile` runs when the file part begins, with the fields sent before
 * it, and before a byte of the file is written: the caller reserves the
 * submission's place there (or throws to refuse it).
 */
export async function receiveUpload(
  request: Request,
  dir: string,
  maxBytes: number,
  beforeFile?: (fields: Record<string, string>) => Promise<void>,
): Promise<ReceivedUpload> {
  const contentType = request.headers.get('content-type') ?? '';
  if (!/^multipart\/form-data/i.test(contentType)) throw new UploadError(415, 'expected a multipart/form-data upload with fields task, name and file');
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes + ENVELOPE_BYTES) {
    throw new UploadError(413, `the upload is ${declared} bytes; the limit is ${maxBytes} bytes`);
  }
  if (!request.body) throw new UploadError(400, 'the upload has no body');
  await mkdir(dir, { recursive: true, mode: 0o700 });

  const id = randomUUID();
  const partPath = join(dir, `.${id}.part`);
  const finalPath = join(dir, `${id}.json`);
  const fields: Record<string, string> = {};
  let fileName = '';
  let bytes = 0;
  let sawFile = false;
  let tooLarge = false;
  let fileDone: Promise<void> = Promise.resolve();
  let refused: Error | undefined;

  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: { 'content-type': contentType },
      // busboy flags a file that reaches fileSize; one byte more lets a file of exactly maxBytes through.
      limits: { files: 1, fields: 12, fieldSize: 4096, fileSize: maxBytes + 1, parts: 16 },
    });
  } catch {
    throw new UploadError(400, 'malformed multipart/form-data header');
  }
  parser.on('field', (name, value) => {
    fields[name] = value;
  });
  parser.on('file', (name, stream, info) => {
    if (name !== 'file' || sawFile) {
      // Dropped; a body cut short errors this stream too, which must not go unhandled (it would end the server).
      stream.on('error', () => {});
      stream.resume();
      return;
    }
    sawFile = true;
    fileName = info.filename ?? 'results.json';
    stream.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    // A 'data' listener sets the stream flowing: held until the pipeline below takes it, or the bytes that
    // arrive while beforeFile waits (a reservation over the network, with PostgreSQL) would be lost.
    stream.pause();
    stream.on('limit', () => {
      tooLarge = true;
      // Stop reading the rest of the request at once.
      source.destroy();
    });
    fileDone = (async () => {
      if (beforeFile) {
        try {
          await beforeFile({ ...fields });
        } catch (err) {
          refused = err instanceof Error ? err : new Error(String(err));
          stream.on('error', () => {});
          // Drained (it was held above), or a body already read in full would keep the parser from finishing.
          stream.resume();
          source.destroy();
          throw err;
        }
      }
      await pipeline(stream, createWriteStream(partPath, { mode: 0o600 }));
    })();
    void ignoreRejection(fileDone, 'awaited below once the request has been read; a failure before then must not go unhandled');
  });

  const source = Readable.fromWeb(request.body as import('node:stream/web').ReadableStream<Uint8Array>);
  // The whole body is bounded too (without Content-Length, parts other than `file` are read and dropped).
  let bodyBytes = 0;
  source.on('data', (chunk: Uint8Array) => {
    bodyBytes += chunk.length;
    if (bodyBytes > maxBytes + ENVELOPE_BYTES && !tooLarge) {
      tooLarge = true;
      source.destroy();
    }
  });
  try {
    await pipeline(source, parser);
    await fileDone;
  } catch (err) {
    await rm(partPath, { force: true });
    if (refused !== undefined) throw refused;
    if (tooLarge) throw new UploadError(413, `the file is larger than the limit of ${maxBytes} bytes`);
    throw new UploadError(400, `the upload was not a complete multipart/form-data body (${err instanceof Error ? err.message : String(err)})`);
  }
  if (tooLarge) {
    await rm(partPath, { force: true });
    throw new UploadError(413, `the file is larger than the limit of ${maxBytes} bytes`);
  }
  if (!sawFile) throw new UploadError(400, 'the upload has no file field');
  await fsyncPath(partPath);
  await rename(partPath, finalPath);
  await fsyncPath(dir);
  return { fields, path: finalPath, bytes, fileName };
}
