import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { IDS_PER_RUN, idRunPath, type CounterId, type IdRun } from '../lookup/id-runs.ts';
import { SITE_MAP_VERSION } from '../lookup/site-map.ts';

/** The builds of one run file: counter modulo IDS_PER_RUN → builder and number. */
export type RunSlots = Map<number, readonly [string, number]>;

/** The controller's ids grouped by run file (`<prefix>/<run>`). */
export function groupIdRuns(ids: ReadonlyMap<CounterId, readonly [string, number]>): Map<string, { readonly prefix: string; readonly run: number; readonly slots: RunSlots }> {
  const runs = new Map<string, { prefix: string; run: number; slots: RunSlots }>();
  for (const [{ prefix, counter }, at] of ids) {
    const run = Math.floor(counter / IDS_PER_RUN);
    const key = `${prefix}/${run}`;
    let entry = runs.get(key);
    if (entry === undefined) {
      entry = { prefix, run, slots: new Map() };
      runs.set(key, entry);
    }
    entry.slots.set(counter % IDS_PER_RUN, at);
  }
  return runs;
}

/** A run file's columns for its slots: builders in the order their first counter comes. */
export function encodeIdRun(slots: RunSlots): IdRun {
  const builders: string[] = [];
  const index = new Map<string, number>();
  const last = new Map<number, number>();
  const b: number[] = [];
  const n: number[] = [];
  const top = Math.max(...slots.keys());
  for (let slot = 0; slot <= top; slot += 1) {
    const at = slots.get(slot);
    if (at === undefined) {
      b.push(-1);
      n.push(0);
      continue;
    }
    let i = index.get(at[0]);
    if (i === undefined) {
      i = builders.length;
      index.set(at[0], i);
      builders.push(at[0]);
    }
    b.push(i);
    n.push(at[1] - (last.get(i) ?? 0));
    last.set(i, at[1]);
  }
  return { v: SITE_MAP_VERSION, builders, b, n };
}

/** The slots a written run file holds (`encodeIdRun` backwards). */
export function decodeIdRun(run: IdRun): RunSlots {
  const slots: RunSlots = new Map();
  const last = new Map<number, number>();
  for (const [slot, i] of run.b.entries()) {
    const name = run.builders[i];
    if (i < 0 || name === undefined) continue;
    const number = (last.get(i) ?? 0) + (run.n[slot] ?? 0);
    last.set(i, number);
    slots.set(slot, [name, number]);
  }
  return slots;
}

/** The run files of the controller's ids (`site/lookup/id-runs.ts`); returns how many were written. */
export async function writeIdRuns(dir: string, ids: ReadonlyMap<CounterId, readonly [string, number]>): Promise<number> {
  const runs = groupIdRuns(ids);
  for (const { prefix, run, slots } of runs.values()) {
    const path = join(dir, idRunPath(prefix, run));
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, JSON.stringify(encodeIdRun(slots)));
  }
  return runs.size;
}
