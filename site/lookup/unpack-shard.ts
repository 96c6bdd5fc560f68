import { ownEntry } from './own-entry.ts';
import { BUILDS_PER_SHARD, type MapShard, type MapStep, type PackedShard, type StoredBuild } from './site-map.ts';

type Result = NonNullable<StoredBuild['result']>;

export const RESULT_LETTERS: Readonly<Record<Result, string>> = { success: 's', failure: 'f', cancelled: 'c' };
const RESULTS: Readonly<Record<string, Result>> = { s: 'success', f: 'failure', c: 'cancelled' };

/** A URL of the shard's template for build `number`: every `{n}` is the number. */
export function expandTemplate(template: string, number: number): string {
  return template.split('{n}').join(String(number));
}

/**
 * The shard the lookup reads, from its stored columns (`packShard` in site/build wrote them).
 * Runs in the browser for every address looked up: one pass over the columns, no parsing of
 * dates (finish times are rebuilt from their milliseconds).
 */
export function unpackShard(packed: PackedShard): MapShard {
  const builds: Record<string, StoredBuild> = {};
  // A shard is read as the site has it; one without runs (hand-made, cut short) holds no builds.
  const runs: readonly number[] = Array.isArray(packed.runs) ? packed.runs : [];
  let n = packed.shard * BUILDS_PER_SHARD;
  let i = 0;
  let fin = 0;
  let watcherNumber = 0;
  const column = <T>(values: readonly T[] | undefined): T | undefined => values?.[i];
  for (let r = 0; r + 1 < runs.length; r += 2) {
    n += runs[r] ?? 0;
    const length = runs[r + 1] ?? 0;
    for (let k = 0; k < length; k += 1, n += 1, i += 1) {
      const key = String(i);
      const port = column(packed.port) ?? undefined;
      const result = RESULTS[packed.result?.[i] ?? '-'];
      const finStep = column(packed.fin) ?? null;
      if (finStep !== null) fin += finStep;
      const finishedAt = ownEntry(packed.oddFin, key) ?? (finStep === null ? undefined : new Date(fin).toISOString());
      const took = column(packed.took) ?? undefined;
      const storedWatcher = column(packed.watcher) ?? null;
      let watcher: StoredBuild['watcher'];
      if (typeof storedWatcher === 'number') {
        watcherNumber += storedWatcher;
        watcher = watcherNumber;
      } else watcher = storedWatcher ?? undefined;
      const revision = column(packed.revision) ?? undefined;
      const platform = ownEntry(packed.platform, key);
      const failedStep = ownEntry(packed.failedStep, key);
      const own = ownEntry(packed.urls, key);
      const url = own === undefined ? expandTemplate(packed.url ?? '', n) : own + (packed.urlsEnd ?? '');
      const steps: number | readonly MapStep[] | undefined =
        typeof packed.steps === 'number' ? packed.steps : (column(packed.steps) ?? undefined);
      builds[String(n)] = {
        ...(port === undefined ? {} : { port }),
        ...(platform === undefined ? {} : { platform }),
        ...(result === undefined ? {} : { result }),
        ...(finishedAt === undefined ? {} : { finishedAt }),
        ...(took === undefined ? {} : { took }),
        ...(watcher === undefined ? {} : { watcher }),
        ...(failedStep === undefined ? {} : { failedStep }),
        ...(revision === undefined ? {} : { revision }),
        url,
        ...(steps === undefined ? {} : { steps }),
      };
    }
  }
  return {
    v: packed.v,
    builder: packed.builder,
    shard: packed.shard,
    ...(packed.prefix === undefined ? {} : { prefix: packed.prefix }),
    ...(packed.stepSets === undefined ? {} : { stepSets: packed.stepSets }),
    ...(packed.revisions === undefined ? {} : { revisions: packed.revisions }),
    builds,
  };
}

