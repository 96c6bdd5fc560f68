import { findOnPath } from './find-on-path.ts';
import { locatePackagedChromium, unpackPackagedChromium, type PackagedChromium } from './packaged-chromium.ts';
import { missingPartMessage } from './test-parts.ts';

/**
 * The Chromium the browser tests drive: the build @sparticuz/chromium ships in node_modules (so a
 * fresh `npm ci` has one, nothing to install), else Debian's `chromium` on PATH. Resolves to why
 * neither is usable otherwise.
 */
export async function findChromium(env: NodeJS.ProcessEnv = process.env, packaged: PackagedChromium = locatePackagedChromium()): Promise<{ path: string } | { missing: string }> {
  const unpacked = 'unavailable' in packaged ? packaged : await unpackPackagedChromium(packaged);
  if ('path' in unpacked) return unpacked;
  const system = findOnPath('chromium', env['PATH']);
  if (system !== undefined) return { path: system };
  return { missing: `${unpacked.unavailable}, and there is no chromium on PATH` };
}

/** As findChromium, but throws the missing-part message (package and command) at once. */
export async function requireChromium(env: NodeJS.ProcessEnv = process.env, packaged: PackagedChromium = locatePackagedChromium()): Promise<string> {
  const found = await findChromium(env, packaged);
  if ('missing' in found) throw new Error(missingPartMessage('chromium', found.missing));
  return found.path;
}
