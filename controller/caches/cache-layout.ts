import { join } from 'node:path';

/**
 * Where the farm's caches live on the mirror host. The mirror (`packages/`, `distfiles/`) is
 * what every build reads over HTTP and what master builds add to; quarantine holds distfiles
 * fetched by PR builds (unapproved code), one folder per build, until it expires. The two
 * trees are separate roots so no path under quarantine can name a file in the mirror.
 */
export interface CacheLayout {
  readonly mirrorRoot: string;
  readonly quarantineRoot: string;
}

export function mirrorDistfilesDir(layout: CacheLayout): string {
  return join(layout.mirrorRoot, 'distfiles');
}

export function mirrorPackagesDir(layout: CacheLayout): string {
  return join(layout.mirrorRoot, 'packages');
}

export function quarantineDir(layout: CacheLayout, buildId: string): string {
  return join(layout.quarantineRoot, buildId);
}

/** A distfile path relative to the distfiles root, as MacPorts lays them out (`<dist_subdir>/<file>`). */
const SEGMENT = /^[A-Za-z0-9_+~][A-Za-z0-9._+~=,@-]*$/;

/** True for a plain relative path: no `..`, no absolute path, no hidden control names. */
export function isSafeRelativePath(path: string): boolean {
  if (path.length === 0 || path.length > 512) return false;
  return path.split('/').every((segment) => SEGMENT.test(segment) && segment !== '.' && segment !== '..');
}
