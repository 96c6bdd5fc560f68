import type { ImageVersion, PlatformImages } from './image-registry.ts';

/**
 * The image a new VM for `buildId` is cloned from. A build lands in the canary when its bucket
 * (a stable hash of the build id, 0–99) is below the share, so a retried clone of the same build
 * picks the same image. Null when the platform has no registered image: the caller uses the
 * platform's configured image. A VM keeps what this returned for its whole life.
 */
export function selectImage(state: PlatformImages, buildId: string): ImageVersion | null {
  const canary = state.canary;
  const chosen = canary !== null && canaryBucket(buildId) < canary.sharePercent ? canary.version : state.current;
  if (chosen === null) return null;
  return state.versions.find((v) => v.version === chosen) ?? null;
}

/** FNV-1a of the build id, mod 100. */
export function canaryBucket(buildId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < buildId.length; i += 1) {
    hash ^= buildId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % 100;
}
