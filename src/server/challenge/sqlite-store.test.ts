/** The Store contract on the SQLite store, in a fresh database file per test. */
import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import { tempDir } from '../../testing/paths.js';
import { openDatabase } from '../store/sqlite.js';
import { SqliteStore } from './sqlite-store.js';
import { storeContract } from './store-contract.js';

storeContract('SQLite', async () => {
  const dir = await tempDir('df2-store-');
  const db = openDatabase(join(dir, 'df2.sqlite'));
  return {
    store: new SqliteStore(db),
    async cleanup() {
      db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
