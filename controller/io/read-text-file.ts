import { readFile } from 'node:fs/promises';
import { coerceError } from '../errors/coerce-error.ts';
import { UserError } from '../errors/user-error.ts';

/**
 * Reads a data file a user named: an unreadable file is a UserError naming the file and
 * `fix`; an abort stays an abort.
 */
export async function readTextFile(path: string, what: string, fix: string, signal?: AbortSignal): Promise<string> {
  try {
    return await readFile(path, signal === undefined ? { encoding: 'utf8' } : { encoding: 'utf8', signal });
  } catch (caught) {
    const error = coerceError(caught);
    if (error.name === 'AbortError') throw error;
    throw new UserError(`cannot read ${what} ${path}; ${fix}`, { cause: error });
  }
}
