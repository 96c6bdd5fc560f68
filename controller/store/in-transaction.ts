import type { DatabaseSync } from 'node:sqlite';

/** Runs `work` in one immediate transaction: all of it is committed, or none of it. */
export function inTransaction<T>(db: DatabaseSync, work: () => T): T {
  db.exec('begin immediate');
  try {
    const result = work();
    db.exec('commit');
    return result;
  } catch (caught) {
    db.exec('rollback');
    throw caught;
  }
}
