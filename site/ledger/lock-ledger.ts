import { link, readFile, unlink, writeFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { coerceError } from '../../controller/errors/coerce-error.ts';

const inProcess = new Map<string, Promise<unknown>>();

/** How long an append waits for another process's lock before giving up (a retryable failure). */
const LOCK_WAIT_MS = 10_000;
const LOCK_POLL_MS = 10;

export class LedgerLockError extends Error {
  readonly retryable = true;
  constructor(message: string) {
    super(message);
    this.name = 'LedgerLockError';
  }
}

/**
 * Runs `work` holding the ledger's lock: in this process, appends to one ledger run one after
 * the other; across processes, `<ledger>.lock` holds the owner's pid. A lock whose owner died
 * (kill -9 during an append) is taken over, so a crash never blocks the ledger for good.
 */
export async function lockLedger<T>(ledgerPath: string, work: () => Promise<T>): Promise<T> {
  const previous = inProcess.get(ledgerPath) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(() => withFileLock(ledgerPath, work));
  inProcess.set(ledgerPath, run);
  try {
    return await run;
  } finally {
    if (inProcess.get(ledgerPath) === run) inProcess.delete(ledgerPath);
  }
}

async function withFileLock<T>(ledgerPath: string, work: () => Promise<T>): Promise<T> {
  const lockPath = `${ledgerPath}.lock`;
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    // The pid is written to a private file first and linked into place: link() fails atomically
    // when the lock exists, and a lock file never exists without its owner's pid (a process
    // killed between create and write would otherwise leave an empty lock nobody can judge).
    const mine = `${lockPath}.${process.pid}`;
    await writeFile(mine, `${process.pid}\n`);
    try {
      await link(mine, lockPath);
      break;
    } catch (caught) {
      if ((caught as NodeJS.ErrnoException).code !== 'EEXIST') throw coerceError(caught);
      const owner = await lockOwner(lockPath);
      if (owner !== undefined && !isAlive(owner)) {
        await unlink(lockPath).catch(() => undefined);
        continue;
      }
      if (Date.now() > deadline) {
        throw new LedgerLockError(
          `ledger ${ledgerPath} is locked by process ${owner ?? '(unknown)'} for more than ${LOCK_WAIT_MS / 1000} s; ` +
            `if no portfarm process is running, delete ${lockPath}`,
        );
      }
      await delay(LOCK_POLL_MS);
    } finally {
      await unlink(mine).catch(() => undefined);
    }
  }
  try {
    return await work();
  } finally {
    await unlink(lockPath).catch(() => undefined);
  }
}

async function lockOwner(lockPath: string): Promise<number | undefined> {
  try {
    const pid = Number.parseInt(await readFile(lockPath, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (caught) {
    // EPERM: the process exists but belongs to someone else.
    return (caught as NodeJS.ErrnoException).code === 'EPERM';
  }
}
