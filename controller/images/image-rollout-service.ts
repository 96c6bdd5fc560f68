import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ImagesConfig, PlatformConfig } from '../config/config-schema.ts';
import { coerceError } from '../errors/coerce-error.ts';
import type { HostRef } from '../runners/backends/vm-backend.ts';
import { applyImagePin } from './apply-image-pin.ts';
import { assessRunnerAge, runnerAgeAlerts, type RunnerAge } from './assess-runner-age.ts';
import { chooseVmImage } from './choose-vm-image.ts';
import { collectImageGarbage } from './collect-image-garbage.ts';
import type { HostShell } from './host-shell.ts';
import type { ImageRegistryStore } from './image-registry-store.ts';
import type { ImageVersion, PlatformImages } from './image-registry.ts';
import { createRunnerAgeGauges, type RunnerAgeGauges } from './runner-age-gauge.ts';
import type { RunnerRelease } from './runner-releases.ts';

export interface ImageRolloutServiceOptions {
  readonly store: ImageRegistryStore;
  readonly platforms: readonly PlatformConfig[];
  readonly images: ImagesConfig;
  /** Runs the deletion of a collected image on its hosts (tart, libvirt). */
  readonly hostShell: HostShell;
  readonly imagesDir: string;
  readonly libvirtUri: string;
  /** The published actions/runner releases (GitHub's release list). */
  readonly fetchReleases: (signal: AbortSignal) => Promise<readonly RunnerRelease[]>;
  readonly metrics: Registry;
  readonly log: Logger;
  readonly now: () => Date;
}

/** What a VM uses now: its platform and image (null: adopted after a restart, image unknown). */
export interface VmImageUse {
  readonly platform: string;
  readonly image: string | null;
}

/**
 * The controller's side of image versioning: which image each new VM is cloned from (the
 * registry's rollout, or the config's pin; canary by a stable hash of the build id), the
 * runner-age check of every image in rollout (alerts + metrics), and garbage collection of
 * versions no rollout role and no VM has needed for the grace time. The registry is read on
 * every choice, so `portfarm image rollout|promote|rollback` take effect on the next VM
 * without a restart; VMs already cloned keep their image.
 */
export class ImageRolloutService {
  readonly #options: ImageRolloutServiceOptions;
  readonly #gauges: RunnerAgeGauges;
  /** Image name → when a rollout role or a VM last needed it (ms); grace starts at first sight. */
  readonly #lastNeeded = new Map<string, number>();
  #releases: readonly RunnerRelease[] | null = null;
  #lastGc: Promise<unknown> = Promise.resolve();
  #ages: readonly RunnerAge[] = [];
  #releasesProblem: string | null = null;
  /** Pin problems per platform as last seen (alerts() never reads the store: it may be called after close). */
  readonly #pinProblems = new Map<string, readonly string[]>();

  constructor(options: ImageRolloutServiceOptions) {
    this.#options = options;
    this.#gauges = createRunnerAgeGauges(options.metrics);
  }

  /** The rollout state new VMs of `platform` follow (the pin applied). */
  stateOf(platform: string): PlatformImages {
    return this.#pinned(platform).state;
  }

  /** The image a new VM of this build is cloned from; the same build id gets the same answer while the rollout stands. */
  imageFor(platform: PlatformConfig, buildId: string): string {
    try {
      return chooseVmImage(this.stateOf(platform.name), platform.image, buildId);
    } catch (error) {
      // An unreadable registry must not stop builds: the configured image is the safe choice.
      this.#options.log.error({ err: coerceError(error), platform: platform.name }, 'image registry unreadable; cloning the configured image');
      return platform.image;
    }
  }

  /** Alert lines: images whose runner GitHub refuses or soon will, pins that cannot be followed. */
  alerts(): readonly string[] {
    return [...runnerAgeAlerts(this.#ages), ...[...this.#pinProblems.values()].flat()];
  }

  /** The last runner-age assessment (for tests and `image list`). */
  runnerAges(): readonly RunnerAge[] {
    return this.#ages;
  }

  /**
   * Fetches the runner releases (keeping the last good list when GitHub cannot be reached) and
   * assesses every image in rollout; updates the alerts and the gauges. Never throws.
   */
  async checkRunnerAge(signal: AbortSignal): Promise<readonly RunnerAge[]> {
    const platforms = this.#options.platforms.map((p) => this.stateOf(p.name));
    // No image in rollout (the demo, a farm on configured images only): nothing to check, no request.
    if (platforms.every((p) => p.current === null && p.canary === null)) {
      this.#ages = [];
      this.#gauges.update([]);
      return [];
    }
    try {
      this.#releases = await this.#options.fetchReleases(signal);
      this.#releasesProblem = null;
    } catch (error) {
      const message = coerceError(error).message;
      if (this.#releasesProblem !== message) this.#options.log.warn({ err: coerceError(error), url: this.#options.images.runnerReleasesUrl }, 'runner releases could not be fetched; runner age is judged from the last list or the image dates');
      this.#releasesProblem = message;
    }
    this.#ages = assessRunnerAge({
      platforms,
      releases: this.#releases,
      now: this.#options.now(),
      supportDays: this.#options.images.runnerSupportDays,
      warnDays: this.#options.images.runnerWarnDays,
    });
    this.#gauges.update(this.#ages);
    for (const line of runnerAgeAlerts(this.#ages)) this.#options.log.warn({ alert: line }, 'image runner age');
    return this.#ages;
  }

  /**
   * One GC pass: per platform, versions out of rollout (not current, canary, pinned or the
   * rollback target) that no VM uses and that nothing needed for `gcGraceMinutes` are deleted
   * on the platform's hosts and forgotten. A platform with a VM of unknown image is skipped.
   */
  collectGarbage(inUse: readonly VmImageUse[], signal: AbortSignal): Promise<readonly ImageVersion[]> {
    // One pass at a time: two passes must not delete the same version twice.
    const next = this.#lastGc.then(() => this.#collectNow(inUse, signal));
    this.#lastGc = next.catch(() => undefined);
    return next;
  }

  async #collectNow(inUse: readonly VmImageUse[], signal: AbortSignal): Promise<readonly ImageVersion[]> {
    const now = this.#options.now().getTime();
    const graceMs = this.#options.images.gcGraceMinutes * 60_000;
    const removed: ImageVersion[] = [];
    for (const platform of this.#options.platforms) {
      const uses = inUse.filter((u) => u.platform === platform.name);
      if (uses.some((u) => u.image === null)) {
        this.#options.log.info({ platform: platform.name }, 'image GC skipped: a VM adopted after a restart has an unknown image');
        continue;
      }
      const registry = this.#options.store.get(platform.name);
      const pinned = this.stateOf(platform.name);
      const needed = new Set(uses.flatMap((u) => (u.image === null ? [] : [u.image])));
      // A pinned current or canary is needed even when the registry's rollout has moved on.
      for (const version of [pinned.current, pinned.canary?.version]) {
        const image = registry.versions.find((v) => v.version === version)?.image;
        if (image !== undefined) needed.add(image);
      }
      for (const v of registry.versions) {
        const inRollout = v.version === registry.current || v.version === registry.canary?.version || v.version === registry.history.at(-1);
        if (inRollout || needed.has(v.image) || !this.#lastNeeded.has(v.image)) this.#lastNeeded.set(v.image, now);
      }
      const hosts: HostRef[] = platform.hosts.map((h) => ({ name: h.name, address: h.address }));
      try {
        const gone = await collectImageGarbage(
          {
            platform: platform.name,
            hosts,
            inUse: needed,
            imagesDir: this.#options.imagesDir,
            libvirtUri: this.#options.libvirtUri,
            eligible: (v) => now - (this.#lastNeeded.get(v.image) ?? now) >= graceMs,
          },
          { store: this.#options.store, hostShell: this.#options.hostShell },
          signal,
        );
        for (const v of gone) {
          this.#lastNeeded.delete(v.image);
          this.#options.log.info({ platform: platform.name, image: v.image, version: v.version }, 'image version garbage-collected: out of rollout and unused for the grace time');
        }
        removed.push(...gone);
      } catch (error) {
        this.#options.log.warn({ err: coerceError(error), platform: platform.name }, 'image GC failed; the next pass retries');
      }
    }
    return removed;
  }

  #pinned(platform: string): ReturnType<typeof applyImagePin> {
    const pinned = applyImagePin(this.#options.store.get(platform), this.#options.images.pins[platform]);
    this.#pinProblems.set(platform, pinned.problems);
    return pinned;
  }
}
