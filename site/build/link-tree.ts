import { copyFile, link, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Hard links (copies across file systems) of every file below `from`; a missing `from` is an empty archive. `keepExisting`: a file already there is left as it is. */
export async function linkTree(from: string, to: string, options: { readonly keepExisting?: boolean } = {}): Promise<void> {
  let entries;
  try {
    entries = await readdir(from, { withFileTypes: true });
  } catch (caught) {
    if ((caught as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw caught;
  }
  await mkdir(to, { recursive: true });
  for (const entry of entries) {
    // Temp files of a write in progress (`.name.tmp`) are not logs yet.
    if (entry.name.startsWith('.')) continue;
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isDirectory()) await linkTree(source, target, options);
    else if (entry.isFile()) await link(source, target).catch(async (caught: unknown) => {
      // An update of the site links only what the archive gained: a log is never rewritten.
      if (options.keepExisting === true && (caught as NodeJS.ErrnoException).code === 'EEXIST') return;
      if ((caught as NodeJS.ErrnoException).code !== 'EXDEV' && (caught as NodeJS.ErrnoException).code !== 'EPERM') throw caught;
      await copyFile(source, target);
    });
  }
}
