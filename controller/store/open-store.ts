import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { coerceError } from '../errors/coerce-error.ts';
import { UserError } from '../errors/user-error.ts';
import { MIGRATIONS } from './migrations/migrations.ts';

/**
 * Opens (creating if needed) the state database in WAL mode and applies pending migrations,
 * each in its own transaction together with the bump of `user_version`.
 *
 * `synchronous = full`: every commit is synced to disk before it returns. Under `normal` a WAL
 * commit can be lost to a power cut (not to a crash of the process), and the one commit that
 * must never be lost is the dispatch intent written before `workflow_dispatch` is called: rolled
 * back, the build would be dispatched a second time. `npm run bench:store` measures the cost.
 */
export function openStore(path: string): DatabaseSync {
  let db: DatabaseSync;
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    db = new DatabaseSync(path);
  } catch (caught) {
    const error = coerceError(caught);
    throw new UserError(`cannot open the state database ${path} (${error.message}); check state.path in the config and that its folder is writable`, { cause: error });
  }
  db.exec('pragma journal_mode = wal; pragma synchronous = full; pragma busy_timeout = 5000; pragma foreign_keys = on;');
  const row = db.prepare('pragma user_version').get();
  const current = typeof row?.user_version === 'number' ? row.user_version : 0;
  for (const migration of MIGRATIONS) {
    if (migration.version <= current) continue;
    db.exec('begin immediate');
    try {
      db.exec(migration.sql);
      db.exec(`pragma user_version = ${migration.version}`);
      db.exec('commit');
    } catch (caught) {
      db.exec('rollback');
      throw new Error(`migration ${migration.version} failed on ${path}`, { cause: caught });
    }
  }
  return db;
}
