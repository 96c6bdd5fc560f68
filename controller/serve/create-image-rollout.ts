import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Config } from '../config/config-schema.ts';
import { fetchRunnerReleases } from '../images/fetch-runner-releases.ts';
import type { HostShell } from '../images/host-shell.ts';
import { imageStatePaths } from '../images/image-paths.ts';
import { openImageRegistryStore, type ImageRegistryStore } from '../images/image-registry-store.ts';
import { ImageRolloutService } from '../images/image-rollout-service.ts';
import type { RunnerRelease } from '../images/runner-releases.ts';

export interface ImageRolloutSources {
  readonly hostShell: HostShell;
  /** Default: GitHub's list at `images.runnerReleasesUrl`. */
  readonly fetchRunnerReleases?: (signal: AbortSignal) => Promise<readonly RunnerRelease[]>;
  readonly metrics: Registry;
  readonly log: Logger;
  readonly now: () => Date;
}

/** Image versions: the registry `portfarm image …` writes, read on every clone; the caller closes `store`. */
export function createImageRollout(config: Config, sources: ImageRolloutSources): { readonly images: ImageRolloutService; readonly store: ImageRegistryStore } {
  const store = openImageRegistryStore(imageStatePaths(process.cwd(), config.state.path, config.images.registryPath).registry);
  const images = new ImageRolloutService({
    store,
    platforms: config.platforms,
    images: config.images,
    hostShell: sources.hostShell,
    imagesDir: join(dirname(config.state.path), 'images'),
    libvirtUri: 'qemu:///system',
    fetchReleases: sources.fetchRunnerReleases ?? ((s) => fetchRunnerReleases(config.images.runnerReleasesUrl, s)),
    metrics: sources.metrics,
    log: sources.log,
    now: sources.now,
  });
  return { images, store };
}
