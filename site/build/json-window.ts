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

/** A window build: its number and finish time, and the build itself unless it was restored from the manifest (its files are written). */
export interface WindowSlot {
  readonly number: number;
  /** Epoch milliseconds; a build without a finish time has the time of the build before (-Infinity for none). */
  readonly at: number;
  readonly build: WindowBuild | undefined;
}

/** The window as the site manifest keeps it: per builder the newest time and each build's number and time (null for -Infinity). */
export type WindowState = Record<string, { newest: number | null; builds: [number, number | null][] }>;

/**
 * The newest builds of each builder that get real JSON files (`/json/builders/<b>/builds/<n>`):
 * those that finished at most `days` before the builder's newest build. The ledger is read in
 * order, so the window slides as it is read and holds about `days` of builds, never the ledger.
 * A build without a finish time counts as finished with the build before it. An update of the
 * site starts from the window the manifest kept (`restore`) and notes the new lines only.
 */
export class JsonWindow {
  readonly #spanMs: number;
  /** Per builder, its builds in ledger order; those before `start` have left the window. */
  readonly #builders = new Map<string, { slots: WindowSlot[]; start: number; newest: number }>();

  constructor(days: number) {
    if (!Number.isFinite(days) || days < 0) throw new Error(`the JSON window must be 0 or more days, not ${days}`);
    this.#spanMs = days * 86_400_000;
  }

  /** A builder's window as a written site has it: numbers and times, no builds (their files exist). */
  restore(name: string, newest: number | null, builds: readonly (readonly [number, number | null])[]): void {
    this.#builders.set(name, { slots: builds.map(([number, at]) => ({ number, at: at ?? Number.NEGATIVE_INFINITY, build: undefined })), start: 0, newest: newest ?? Number.NEGATIVE_INFINITY });
  }

  note(build: WindowBuild): void {
    const name = build.held.builder;
    let builder = this.#builders.get(name);
    if (builder === undefined) {
      builder = { slots: [], start: 0, newest: Number.NEGATIVE_INFINITY };
      this.#builders.set(name, builder);
    }
    const parsed = build.held.finishedAt === undefined ? Number.NaN : Date.parse(build.held.finishedAt);
    const at = Number.isNaN(parsed) ? (builder.slots.at(-1)?.at ?? Number.NEGATIVE_INFINITY) : parsed;
    if (at > builder.newest) builder.newest = at;
    builder.slots.push({ number: build.held.number, at, build });
    // Drop from the front what fell out of the window (the newest build always stays); compact now and then, not per build.
    const oldest = builder.newest - this.#spanMs;
    while (builder.start < builder.slots.length - 1 && (builder.slots[builder.start]?.at ?? 0) < oldest) builder.start += 1;
    if (builder.start > 1024 && builder.start * 2 > builder.slots.length) {
      builder.slots = builder.slots.slice(builder.start);
      builder.start = 0;
    }
  }

  /** The window of each builder, oldest first: the builds noted (restored ones are left out). */
  *builders(): Iterable<readonly [string, readonly WindowBuild[]]> {
    for (const name of this.#builders.keys()) yield [name, this.slots(name).flatMap((slot) => (slot.build === undefined ? [] : [slot.build]))];
  }

  /** One builder's window, oldest first. */
  slots(name: string): readonly WindowSlot[] {
    const builder = this.#builders.get(name);
    return builder === undefined ? [] : builder.slots.slice(builder.start);
  }

  /** What the manifest keeps, builders by name. */
  state(): WindowState {
    const state: WindowState = {};
    for (const name of [...this.#builders.keys()].sort()) {
      const builder = this.#builders.get(name);
      if (builder === undefined) continue;
      state[name] = { newest: finite(builder.newest), builds: this.slots(name).map((slot): [number, number | null] => [slot.number, finite(slot.at)]) };
    }
    return state;
  }
}

function finite(at: number): number | null {
  return Number.isFinite(at) ? at : null;
}
