import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openStore } from '../../controller/store/open-store.ts';

// SQLite's `pragma synchronous`: 1 = NORMAL (a WAL commit can be lost to a power cut), 2 = FULL.
const FULL = 2;

test('the state database syncs every commit (synchronous = FULL): a committed dispatch intent survives a power cut', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portfarm-sync-'));
  try {
    const db = openStore(join(dir, 'state.db'));
    try {
      assert.equal(db.prepare('pragma journal_mode').get()?.journal_mode, 'wal');
      assert.equal(db.prepare('pragma synchronous').get()?.synchronous, FULL);
    } finally {
      db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
