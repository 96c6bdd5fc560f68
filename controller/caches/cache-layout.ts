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

// Shared with the action (checksums in a port list name paths too), so it lives in controller/model/.
export { isSafeRelativePath } from '../model/safe-relative-path.ts';
