// Where the site tests write their sites.
import { accessSync, constants, mkdtempSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A RAM file system, used when it is there, writable and has this much room (Docker gives /dev/shm 64 MiB). */
const RAM = '/dev/shm';
const ROOM_BYTES = 1024 ** 3;

/**
 * A new empty folder for a test that builds and updates sites: thousands of small files written,
 * renamed, synced (`sync -f`) and removed per case. On a RAM file system when there is one and
 * TMPDIR does not name another place: on the shared VM's disk those metadata operations and syncs
 * (slow whenever another process writes) were most of update-site.test.ts's time (docs/testing.md).
 * What the tests check does not depend on the file system: bytes, names, inodes, renames, hard
 * links, a process killed (kill -9 leaves the page cache as it was); none of them cuts the power.
 */
export function siteScratch(prefix: string): string {
  return mkdtempSync(join(scratchRoot(), prefix));
}

function scratchRoot(): string {
  if (process.env.TMPDIR !== undefined && process.env.TMPDIR !== '') return tmpdir();
  try {
    accessSync(RAM, constants.W_OK);
    const space = statfsSync(RAM);
    return space.bavail * space.bsize >= ROOM_BYTES ? RAM : tmpdir();
  } catch {
    return tmpdir();
  }
}
