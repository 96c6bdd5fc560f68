import { existsSync } from 'node:fs';
import { readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../../controller/errors/user-error.ts';
import { INDEX_PATH } from '../lookup/site-map.ts';

/** Never swap away a folder that is not a site: `--out .` must not delete the user's files. */
export async function checkOutDir(out: string): Promise<void> {
  if (!existsSync(out)) return;
  const info = await stat(out);
  if (!info.isDirectory()) throw new UserError(`--out ${out} is a file; give a folder for the site`);
  const entries = await readdir(out);
  if (entries.length > 0 && !existsSync(join(out, INDEX_PATH))) {
    throw new UserError(`--out ${out} is not empty and holds no site written by portfarm site build (no ${INDEX_PATH}); give a new or empty folder`);
  }
}

/** Puts the new site (`tmp`) where the old one was, the old one removed after. */
export async function swapIn(tmp: string, out: string): Promise<void> {
  if (!existsSync(out)) {
    await rename(tmp, out);
    return;
  }
  const old = `${tmp}-old`;
  await rename(out, old);
  await rename(tmp, out);
  await rm(old, { recursive: true, force: true });
}
