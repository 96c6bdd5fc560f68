import { SITE_MAP_VERSION } from './site-map.ts';

/**
 * The controller's build ids are `<prefix>-<counter in base 36>` (`k3x9-1a2b`), one counter per
 * farm, counting up. Their builds are kept by counter: `/map/_ids/<prefix>/<counter div 1024>.json`
 * holds a run of counters as two columns, a few bytes a build, where buckets by hash (any other
 * id) keep the id and its place in full, ~24 bytes a build: 120 MB of the 1 GB at 5,000,000 builds.
 */
export const IDS_PER_RUN = 1024;

export interface IdRun {
  readonly v: typeof SITE_MAP_VERSION;
  readonly builders: readonly string[];
  /** Per counter from `k * IDS_PER_RUN`: the builder's index in `builders`, -1 when no build has that id. */
  readonly b: readonly number[];
  /** Per counter: its build's number minus the number of the builder's build before it in this run (the first: the number). */
  readonly n: readonly number[];
}

export interface CounterId {
  readonly prefix: string;
  readonly counter: number;
}

const COUNTER_ID = /^([a-z0-9]{1,8})-([1-9a-z][0-9a-z]{0,9}|0)$/;

/** The prefix and counter of an id the controller gave; undefined for any other id (those are kept by hash). */
export function counterId(id: string): CounterId | undefined {
  const match = COUNTER_ID.exec(id);
  if (match === null) return undefined;
  const [, prefix = '', digits = ''] = match;
  const counter = Number.parseInt(digits, 36);
  // Only ids that write back the same: `0a` or a counter past 2^53 would name two ids with one number.
  return Number.isSafeInteger(counter) && counter.toString(36) === digits ? { prefix, counter } : undefined;
}

export function idRunPath(prefix: string, run: number): string {
  return `map/_ids/${prefix}/${run}.json`;
}

/** Builder and number of counter `counter` in its run file; undefined when no build has it. */
export function findInRun(run: IdRun, counter: number): readonly [string, number] | undefined {
  const slot = counter % IDS_PER_RUN;
  const builder = run.b[slot];
  if (builder === undefined || builder < 0) return undefined;
  const name = run.builders[builder];
  if (name === undefined) return undefined;
  // The number is the sum of this builder's steps up to the slot.
  let number = 0;
  for (let i = 0; i <= slot; i += 1) if (run.b[i] === builder) number += run.n[i] ?? 0;
  return [name, number];
}
