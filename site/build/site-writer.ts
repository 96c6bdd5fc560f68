import { execFile } from 'node:child_process';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';

const WRITES_IN_FLIGHT = 16;

/**
 * Writes the files of a site updated in place: each to a temporary name beside it and renamed
 * over the old one, so a reader (or a crash, kill -9 included) sees the old file or the new,
 * never part of one. Up to 16 writes at a time. Not fsynced one by one (12,000 fsyncs are a
 * minute on a small disk): `finish` syncs the file system once, before the manifest is written.
 */
export class SiteWriter {
  readonly #pending = new Set<Promise<void>>();
  readonly #signal: AbortSignal | undefined;
  readonly #onWritten: ((path: string) => void) | undefined;
  #failure: Error | undefined;
  #written = 0;

  constructor(options: { readonly signal?: AbortSignal | undefined; readonly onWritten?: ((path: string) => void) | undefined }) {
    this.#signal = options.signal;
    this.#onWritten = options.onWritten;
  }

  /** Files put in place so far. */
  get written(): number {
    return this.#written;
  }

  /** Starts writing `data` to `path`; resolves when there is room for another write. */
  readonly write = async (path: string, data: string | Uint8Array): Promise<void> => {
    this.#signal?.throwIfAborted();
    const done: Promise<void> = replaceFile(path, data)
      .then(() => {
        this.#written += 1;
        this.#onWritten?.(path);
      })
      .catch((caught: unknown) => {
        this.#failure ??= caught instanceof Error ? caught : new Error(String(caught));
      })
      .finally(() => this.#pending.delete(done));
    this.#pending.add(done);
    if (this.#pending.size >= WRITES_IN_FLIGHT) await Promise.race(this.#pending);
    if (this.#failure !== undefined) throw this.#failure;
  };

  /** Waits for the writes started so far; throws the first that failed. */
  async settle(): Promise<void> {
    await Promise.all(this.#pending);
    if (this.#failure !== undefined) throw this.#failure;
  }

  /** Waits for every write and syncs the file system holding `dir`, so that what comes next is written after all of it. */
  async finish(dir: string): Promise<void> {
    await this.settle();
    await syncFileSystem(dir);
  }
}

async function replaceFile(path: string, data: string | Uint8Array): Promise<void> {
  const folder = dirname(path);
  await mkdir(folder, { recursive: true });
  const temp = join(folder, `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  try {
    const file = await open(temp, 'w', 0o644);
    try {
      await file.writeFile(data);
    } finally {
      await file.close();
    }
    await rename(temp, path);
  } catch (caught) {
    await rm(temp, { force: true });
    throw new Error(`cannot write ${path}`, { cause: caught });
  }
}

/** `sync -f` (syncfs(2)) on Linux; elsewhere `sync`, which syncs every file system. */
async function syncFileSystem(dir: string): Promise<void> {
  await promisify(execFile)('sync', process.platform === 'linux' ? ['-f', dir] : []);
}
