import type { BackendName } from '../config/config-schema.ts';

/** One sealed base image: immutable once registered; VMs cloned from it keep its name for their life. */
export interface ImageVersion {
  readonly platform: string;
  readonly version: number;
  /** What the backend clones: the tart image name or the libvirt base qcow2 path. */
  readonly image: string;
  readonly backend: BackendName;
  /** The actions/runner version unpacked in the image (runner-age detection reads it). */
  readonly runnerVersion: string;
  readonly macportsVersion: string;
  /** ISO time the image was sealed. */
  readonly createdAt: string;
  /** The VM or image it was prepared from. */
  readonly preparedFrom: string;
}

export interface CanaryRollout {
  readonly version: number;
  /** Percent of new VMs (1–99) cloned from the canary. */
  readonly sharePercent: number;
}

/** Where a platform's new VMs come from. Every change is one pure step (`applyImageCommand`). */
export interface PlatformImages {
  readonly platform: string;
  readonly versions: readonly ImageVersion[];
  /** The version most new VMs use; null until the first image is registered. */
  readonly current: number | null;
  readonly canary: CanaryRollout | null;
  /** Earlier currents, newest last: what `rollback` returns to. */
  readonly history: readonly number[];
  /** Version numbers are never reused, even after garbage collection. */
  readonly nextVersion: number;
}

export function emptyPlatformImages(platform: string): PlatformImages {
  return { platform, versions: [], current: null, canary: null, history: [], nextVersion: 1 };
}

/** `15_arm64-base@v3`: the name a sealed image carries in every backend. */
export function imageName(platform: string, version: number): string {
  return `${platform}-base@v${version}`;
}
