import { copyFile, link, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Hard links (copies across file systems) of every file below `from`; a missing `from` is an empty archive. */
export async function linkTree(from: string, to: string): Promise<void> {
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
    if (entry.isDirectory()) await linkTree(source, target);
    else if (entry.isFile()) await link(source, target).catch(async (caught: unknown) => {
      if ((caught as NodeJS.ErrnoException).code !== 'EXDEV' && (caught as NodeJS.ErrnoException).code !== 'EPERM') throw caught;
      await copyFile(source, target);
    });
  }
}
