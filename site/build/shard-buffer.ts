import type { LedgerEntry } from '../ledger/ledger-entry.ts';
import { expandBuild, platformWatcher, urlFolder } from '../lookup/expand-build.ts';
import { SITE_MAP_VERSION, type MapLog, type MapShard, type MapStep, type MapWatcher, type StoredBuild, type MapBuild } from '../lookup/site-map.ts';

// What site build holds of each builder while it reads the ledger, and how an open shard is
// compacted when it is written: the generator's memory at a million builds is decided here.

export interface BuilderState {
  readonly name: string;
  /** The platform the builder's name says: shards leave it out. */
  readonly implied: string;
  first: number;
  latest: number;
  count: number;
  readonly shards: Set<number>;
  buffer: ShardBuffer | undefined;
  latestBuild: Held | undefined;
}

/** The open shard of a builder: its builds so far and the step lists they share. */
export interface ShardBuffer {
  readonly shard: number;
  readonly builds: Map<number, Held>;
  readonly stepSets: MapStep[][];
  readonly setIndex: Map<string, number>;
}

/**
 * A build as the generator holds it until its shard is written, and a port page as long as it
 * is recent: a few fields, URLs resolved, steps as an index into the shard's step sets. Parsed
 * ledger lines are dropped at once, so the heap holds a handful of objects per open build,
 * not the two dozen of a parsed line (at a million builds the garbage collector is the cost).
 */
export interface Held {
  readonly builder: string;
  readonly number: number;
  readonly port: string | undefined;
  readonly platform: string;
  readonly result: LedgerEntry['result'];
  readonly finishedAt: string | undefined;
  readonly startedAt: string | undefined;
  readonly watcher: MapWatcher | undefined;
  readonly failedStep: string | undefined;
  readonly revision: string | undefined;
  readonly url: string;
  /** An index into the shard's `stepSets`, or steps whose log URLs do not extend the build URL. */
  readonly steps: number | readonly MapStep[] | undefined;
}



/**
 * What the generator keeps of a build: URLs resolved (`resolve` is identity for builds read
 * back from a written shard, whose URLs are resolved already), steps whose log URLs all extend
 * the build URL's folder stored once per shard, relative to it.
 */
export function hold(
  state: BuilderState,
  buffer: ShardBuffer,
  number: number,
  b: LedgerEntry | MapBuild,
  resolve: (url: string) => string,
  intern: (text: string) => string,
  watcher: MapWatcher | undefined = b.watcher,
): Held {
  const url = resolve(b.url);
  const folder = urlFolder(url);
  let steps: Held['steps'];
  if (b.steps !== undefined) {
    let key = '';
    let relative = true;
    // The log URLs resolved, in order; step and log objects are made only for a new step list or one that is not relative.
    const resolved: string[] = [];
    for (const st of b.steps) {
      key += `\u0001${st.name}`;
      for (const l of st.logs) {
        const logUrl = resolve(l.url);
        resolved.push(logUrl);
        if (relative && logUrl.length > folder.length && logUrl.startsWith(folder)) key += `\u0000${l.name}\u0000${logUrl.slice(folder.length)}`;
        else relative = false;
      }
    }
    if (relative) {
      let set = buffer.setIndex.get(key);
      if (set === undefined) {
        set = buffer.stepSets.length;
        buffer.setIndex.set(key, set);
        buffer.stepSets.push(stepsOf(b.steps, resolved, folder.length));
      }
      steps = set;
    } else steps = stepsOf(b.steps, resolved, 0);
  }
  return {
    builder: state.name,
    number,
    port: b.port,
    platform: b.platform === undefined ? state.implied : intern(b.platform),
    result: b.result,
    finishedAt: b.finishedAt,
    startedAt: b.startedAt,
    watcher,
    failedStep: b.failedStep === undefined ? undefined : intern(b.failedStep),
    revision: b.revision === undefined ? undefined : intern(b.revision),
    url,
    steps,
  };
}

/** `steps` with the log URLs `resolved` (in order), each cut by `cut` characters. */
function stepsOf(steps: readonly { readonly name: string; readonly logs: readonly { readonly name: string }[] }[], resolved: readonly string[], cut: number): MapStep[] {
  let i = 0;
  return steps.map((st) => ({ name: st.name, logs: st.logs.map((l): MapLog => ({ name: l.name, url: (resolved[i++] ?? '').slice(cut) })) }));
}

/**
 * A written shard opened again to take more builds (an import out of order, or an update of the
 * site with new lines): its step lists keep their order and indexes, so the shard written again
 * is the one a build of the whole ledger writes.
 */
export function reopenShard(state: BuilderState, written: MapShard, intern: (text: string) => string): ShardBuffer {
  const buffer: ShardBuffer = { shard: written.shard, builds: new Map(), stepSets: [], setIndex: new Map() };
  for (const set of written.stepSets ?? []) {
    let key = '';
    for (const st of set) {
      key += `\u0001${st.name}`;
      for (const l of st.logs) key += `\u0000${l.name}\u0000${l.url}`;
    }
    buffer.setIndex.set(key, buffer.stepSets.length);
    buffer.stepSets.push(set.map((st) => ({ name: st.name, logs: [...st.logs] })));
  }
  const asIs = (url: string): string => url;
  for (const [n, b] of Object.entries(written.builds)) buffer.builds.set(Number(n), hold(state, buffer, Number(n), expandBuild(written, b), asIs, intern));
  return buffer;
}

/**
 * The shard as written: step lists that extend their build's URL once in `stepSets`, the other
 * URLs cut by their common prefix, platforms the builder name says left out.
 */
export function compactShard(state: BuilderState, buffer: ShardBuffer): MapShard {
  const numbers = [...buffer.builds.keys()].sort((a, b) => a - b);
  let prefix: string | undefined;
  const common = (full: string): void => {
    if (prefix === undefined) prefix = full;
    else if (!full.startsWith(prefix)) {
      let i = 0;
      while (i < prefix.length && prefix.charCodeAt(i) === full.charCodeAt(i)) i += 1;
      prefix = prefix.slice(0, i);
    }
  };
  for (const b of buffer.builds.values()) {
    common(b.url);
    if (typeof b.steps === 'object') for (const st of b.steps) for (const l of st.logs) common(l.url);
  }
  const cut = prefix?.length ?? 0;
  const out: Record<string, StoredBuild> = {};
  const revisions: string[] = [];
  const revisionIndex = new Map<string, number>();
  const revisionOf = (revision: string): number => {
    let i = revisionIndex.get(revision);
    if (i === undefined) {
      i = revisions.length;
      revisionIndex.set(revision, i);
      revisions.push(revision);
    }
    return i;
  };
  for (const n of numbers) {
    const b = buffer.builds.get(n);
    if (b === undefined) continue;
    const steps = typeof b.steps === 'object' ? b.steps.map((st) => ({ name: st.name, logs: st.logs.map((l) => ({ name: l.name, url: l.url.slice(cut) })) })) : b.steps;
    const took = tookSeconds(b.startedAt, b.finishedAt);
    const watcher = b.watcher === undefined ? undefined : b.watcher.builder === platformWatcher(b.platform) ? b.watcher.number : ([b.watcher.builder, b.watcher.number] as const);
    // Fields set one by one, not spread: a million builds made ten throwaway objects each.
    const stored: Writable<StoredBuild> = { url: b.url.slice(cut) };
    if (b.port !== undefined) stored.port = b.port;
    if (b.platform !== state.implied) stored.platform = b.platform;
    if (b.result !== undefined) stored.result = b.result;
    if (b.finishedAt !== undefined) stored.finishedAt = b.finishedAt;
    if (took !== undefined) stored.took = took;
    if (watcher !== undefined) stored.watcher = watcher;
    if (b.failedStep !== undefined) stored.failedStep = b.failedStep;
    if (b.revision !== undefined) stored.revision = revisionOf(b.revision);
    if (steps !== undefined) stored.steps = steps;
    out[String(n)] = stored;
  }
  return {
    v: SITE_MAP_VERSION,
    builder: state.name,
    shard: buffer.shard,
    ...(cut === 0 || prefix === undefined ? {} : { prefix }),
    ...(buffer.stepSets.length === 0 ? {} : { stepSets: buffer.stepSets }),
    ...(revisions.length === 0 ? {} : { revisions }),
    builds: out,
  };
}

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/** Seconds from start to finish, kept instead of a second date; undefined when either is unknown or they disagree. */
function tookSeconds(startedAt: string | undefined, finishedAt: string | undefined): number | undefined {
  if (startedAt === undefined || finishedAt === undefined) return undefined;
  const took = (Date.parse(finishedAt) - Date.parse(startedAt)) / 1000;
  return Number.isFinite(took) && took >= 0 ? took : undefined;
}
