import { writeFileSync } from 'node:fs';

/**
 * Writes a file of a site being built whole, into its temporary folder (swapped in only when
 * complete, so nothing here needs a temporary name or an fsync). Synchronous: a whole build
 * writes ~43,000 small files at 1,000,000 builds, and `fs/promises`' `writeFile` (a file handle,
 * three thread-pool round trips and their promises per file) cost several times the CPU of the
 * three system calls themselves. A failure names the file and keeps the cause.
 */
export function writeNewFile(path: string, data: string | Uint8Array): Promise<void> {
  try {
    writeFileSync(path, data);
    return Promise.resolve();
  } catch (caught) {
    return Promise.reject(new Error(`cannot write ${path}`, { cause: caught }));
  }
}
