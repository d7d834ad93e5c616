/**
 * Uploads kept as files in the server's uploads directory (the SQLite
 * setup: the web server and its in-process worker share the disk). The key
 * is the file's path; receiveUpload has already written and fsynced it there.
 */
import { rm } from 'node:fs/promises';
import type { UploadStore } from './types.js';

export class FileUploads implements UploadStore {
  async put(receivedFile: string): Promise<string> {
    return receivedFile;
  }

  async open(key: string): Promise<{ path: string; release(): Promise<void> }> {
    return { path: key, release: async () => {} };
  }

  async remove(key: string): Promise<void> {
    await rm(key, { force: true });
  }
}
