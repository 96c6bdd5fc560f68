import { open } from 'node:fs/promises';
import { archivedUnder } from './find-ledger-build.ts';

/**
 * Whether one of the last lines of the ledger records this build (its log URL holds the build
 * id, absolute or relative to the site). After a crash between the ledger append and clearing the "to record" note, the line is
 * among the last few written, so the tail (default 1 MiB) is enough and the check stays cheap
 * however long the ledger is.
 */
export async function ledgerHasBuild(ledgerPath: string, buildId: string, tailBytes = 1 << 20): Promise<boolean> {
  let handle;
  try {
    handle = await open(ledgerPath, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, tailBytes);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    return archivedUnder(buildId).test(buffer.toString('utf8'));
  } finally {
    await handle.close();
  }
}
