import { execFile } from 'node:child_process';
import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { setImmediate } from 'node:timers/promises';
import { promisify } from 'node:util';

/** Files written between two turns of the event loop (signals, timers, the abort signal). */
const FILES_PER_TURN = 256;

/**
 * Writes the files of a site updated in place: each to a temporary name beside it and renamed
 * over the old one, so a reader (or a crash, kill -9 included) sees the old file or the new,
 * never part of one. Not fsynced one by one (12,000 fsyncs are a minute on a small disk):
 * `finish` syncs the file system once, before the manifest is written.
 *
 * The calls are synchronous, and a folder is made once: an update writes ~20,000 small files,
 * and through the thread pool (five round trips a file: mkdir, open, write, close, rename) that
 * cost three times the CPU of the writes themselves. The event loop gets a turn every 256 files.
 */
export class SiteWriter {
  readonly #signal: AbortSignal | undefined;
  readonly #onWritten: ((path: string) => void) | undefined;
  /** Folders made (or found) so far. */
  readonly #folders = new Set<string>();
  #written = 0;

  constructor(options: { readonly signal?: AbortSignal | undefined; readonly onWritten?: ((path: string) => void) | undefined }) {
    this.#signal = options.signal;
    this.#onWritten = options.onWritten;
  }

  /** Files put in place so far. */
  get written(): number {
    return this.#written;
  }

  /** Writes `data` to `path` (temporary name, then renamed over it); throws what went wrong, naming the file. */
  readonly write = async (path: string, data: string | Uint8Array): Promise<void> => {
    this.#signal?.throwIfAborted();
    const folder = dirname(path);
    if (!this.#folders.has(folder)) {
      mkdirSync(folder, { recursive: true });
      this.#folders.add(folder);
    }
    replaceFile(path, data);
    this.#written += 1;
    this.#onWritten?.(path);
    if (this.#written % FILES_PER_TURN === 0) await setImmediate();
  };

  /** Every write is in place when `write` returns: kept for the callers that wait for the writes so far. */
  async settle(): Promise<void> {
    this.#signal?.throwIfAborted();
    await Promise.resolve();
  }

  /** Syncs the file system holding `dir`, so that what comes next is written after every file before. */
  async finish(dir: string): Promise<void> {
    await this.settle();
    await syncFileSystem(dir);
  }
}

function replaceFile(path: string, data: string | Uint8Array): void {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  try {
    const fd = openSync(temp, 'w', 0o644);
    try {
      writeFileSync(fd, data);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (caught) {
    rmSync(temp, { force: true });
    throw new Error(`cannot write ${path}`, { cause: caught });
  }
}

/** `sync -f` (syncfs(2)) on Linux; elsewhere `sync`, which syncs every file system. */
async function syncFileSystem(dir: string): Promise<void> {
  await promisify(execFile)('sync', process.platform === 'linux' ? ['-f', dir] : []);
}
