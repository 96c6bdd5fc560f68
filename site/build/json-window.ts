import type { MapStep } from '../lookup/site-map.ts';
import type { Held } from './shard-buffer.ts';

/** One build the window holds until the site is written: the build, its steps, its archive folder. */
export interface WindowBuild {
  readonly held: Held;
  /** Its steps as the shard keeps them: log URLs relative to the build URL's folder (`urlFolder`) when `relative`. */
  readonly steps: readonly MapStep[] | undefined;
  readonly relative: boolean;
  /** The build id when its page is in the controller's log archive. */
  readonly id: string | undefined;
}

/**
 * The newest builds of each builder that get real JSON files (`/json/builders/<b>/builds/<n>`):
 * those that finished at most `days` before the builder's newest build. The ledger is read in
 * order, so the window slides as it is read and holds about `days` of builds, never the ledger.
 * A build without a finish time counts as finished with the build before it.
 */
export class JsonWindow {
  readonly #spanMs: number;
  /** Per builder, its builds and (same index) their finish times, a missing one taken from the build before. */
  readonly #builders = new Map<string, { builds: WindowBuild[]; at: number[]; start: number; newest: number }>();

  constructor(days: number) {
    if (!Number.isFinite(days) || days < 0) throw new Error(`the JSON window must be 0 or more days, not ${days}`);
    this.#spanMs = days * 86_400_000;
  }

  note(build: WindowBuild): void {
    const name = build.held.builder;
    let builder = this.#builders.get(name);
    if (builder === undefined) {
      builder = { builds: [], at: [], start: 0, newest: Number.NEGATIVE_INFINITY };
      this.#builders.set(name, builder);
    }
    const parsed = build.held.finishedAt === undefined ? Number.NaN : Date.parse(build.held.finishedAt);
    const at = Number.isNaN(parsed) ? (builder.at.at(-1) ?? Number.NEGATIVE_INFINITY) : parsed;
    if (at > builder.newest) builder.newest = at;
    builder.builds.push(build);
    builder.at.push(at);
    // Drop from the front what fell out of the window (the newest build always stays); compact now and then, not per build.
    const oldest = builder.newest - this.#spanMs;
    while (builder.start < builder.builds.length - 1 && (builder.at[builder.start] ?? 0) < oldest) builder.start += 1;
    if (builder.start > 1024 && builder.start * 2 > builder.builds.length) {
      builder.builds = builder.builds.slice(builder.start);
      builder.at = builder.at.slice(builder.start);
      builder.start = 0;
    }
  }

  /** The window of each builder, oldest first. */
  *builders(): Iterable<readonly [string, readonly WindowBuild[]]> {
    for (const [name, builder] of this.#builders) yield [name, builder.builds.slice(builder.start)];
  }
}
