import { createHash } from 'node:crypto';
import { createReadStream, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ARCHIVE_NAME } from './archive-digests.ts';

export interface DistributableArchive {
  readonly name: string;
  readonly path: string;
  readonly sha256: string;
}

export interface DistributableListing {
  readonly archives: readonly DistributableArchive[];
  /** Entries of the public folder that are not plain archive files (a symlink, a folder, another name), with why. */
  readonly refused: readonly { readonly name: string; readonly why: string }[];
}

/** The public half of a staging folder: mpbb's gather-archives puts an archive there only when MacPorts says it may be distributed. */
export function distributableDir(stagingDir: string): string {
  return join(stagingDir, 'public');
}

/**
 * The archives MacPorts judged distributable (mpbb's gather-archives stages them in `public/`,
 * the rest in `private/` by port_binary_distributable.tcl), each with its sha256. Only regular
 * files with an archive's name count: a symlink in `public/` could point at a private archive
 * (the port's build ran as root in this VM), and anything else is not what mpbb stages.
 */
export async function listDistributableArchives(stagingDir: string): Promise<DistributableListing> {
  const dir = distributableDir(stagingDir);
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { archives: [], refused: [] };
    throw error;
  }
  const archives: DistributableArchive[] = [];
  const refused: { name: string; why: string }[] = [];
  for (const name of names) {
    if (name.startsWith('.')) continue;
    const path = join(dir, name);
    const stat = lstatSync(path);
    if (!stat.isFile()) refused.push({ name, why: stat.isSymbolicLink() ? 'a symlink, not a staged archive' : 'not a regular file' });
    else if (!ARCHIVE_NAME.test(name)) refused.push({ name, why: 'not an archive file name' });
    else archives.push({ name, path, sha256: await sha256Of(path) });
  }
  return { archives, refused };
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}
