import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createBrotliDecompress } from 'node:zlib';
import { z } from 'zod';

/** @sparticuz/chromium's compressed Chromium build in node_modules, or why there is none. */
export type PackagedChromium = { readonly archive: string; readonly version: string; readonly cacheDir: string } | { readonly unavailable: string };

/** Finds the build an `npm ci` brought (a devDependency), without unpacking it. */
export function locatePackagedChromium(arch: string = process.arch): PackagedChromium {
  if (arch !== 'x64') return { unavailable: `@sparticuz/chromium ships an x64 build only, and this machine is ${arch}` };
  let entry: string;
  try {
    entry = fileURLToPath(import.meta.resolve('@sparticuz/chromium'));
  } catch {
    return { unavailable: '@sparticuz/chromium is not installed (`npm ci` installs it)' };
  }
  const root = join(dirname(entry), '..');
  const { version } = z.object({ version: z.string() }).parse(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')));
  const archive = join(root, 'bin', 'chromium.br');
  if (!existsSync(archive)) return { unavailable: `@sparticuz/chromium ${version} has no ${archive}` };
  // node_modules/.cache: `npm ci` clears it with the package; the version keys it, so an upgrade unpacks anew.
  return { archive, version, cacheDir: join(root, '..', '..', '.cache', 'portfarm', `chromium-${version}`) };
}

/**
 * The executable, unpacked once per version (about 4 s, 200 MB) and checked to start. Unpacked to
 * a file of this process's own and renamed into place, so test files starting together never run
 * a half-written binary. Resolves to why it cannot be used when it does not start (say, a shared
 * library this machine lacks).
 */
export async function unpackPackagedChromium(packaged: Exclude<PackagedChromium, { unavailable: string }>): Promise<{ path: string } | { unavailable: string }> {
  const path = join(packaged.cacheDir, 'chromium');
  if (!existsSync(path)) {
    mkdirSync(packaged.cacheDir, { recursive: true });
    const partial = `${path}.${String(process.pid)}.partial`;
    try {
      await pipeline(createReadStream(packaged.archive), createBrotliDecompress(), createWriteStream(partial, { mode: 0o755 }));
      renameSync(partial, path);
    } finally {
      rmSync(partial, { force: true });
    }
  }
  const run = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 30_000 });
  if (run.status === 0) return { path };
  const why = run.error?.message ?? (run.stderr.trim().split('\n')[0] || `exit ${String(run.status ?? run.signal)}`);
  return { unavailable: `@sparticuz/chromium ${packaged.version} does not start here (${path} --version: ${why})` };
}
