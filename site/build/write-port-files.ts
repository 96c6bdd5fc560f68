import { writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setImmediate } from 'node:timers/promises';
import { portFilePath, PORTS_DIR, type PendingBuild, type PortSummary } from '../lookup/site-map.ts';
import { pendingByFile, portFile } from './port-file.ts';
import type { PortHistory } from './port-history.ts';

/** Files written between two turns of the event loop: the whole build writes tens of thousands. */
const FILES_PER_TURN = 1000;

export interface PortFilesWritten {
  /** Port files written. */
  readonly files: number;
  /** Ports with a page: the ledger's, and those with only pending builds. */
  readonly ports: number;
  /** The files (lower-case port names) with pending builds, sorted: an update reads them again for the next snapshot. */
  readonly pendingPorts: readonly string[];
}

/**
 * The port pages' data for a whole build (into the new site's folder, swapped in later): one
 * `/map/_ports/<lower-case name>.json` a port (`portFile`), with the builds pending as of the ETA
 * snapshot. Written with synchronous calls: ~40,000 small files, and the thread pool's round
 * trips cost more CPU than the writes.
 */
export async function writePortFiles(dir: string, history: PortHistory, pending: ReadonlyMap<string, readonly PendingBuild[]> | undefined): Promise<PortFilesWritten> {
  const ledgerOf = new Map<string, Map<string, PortSummary>>();
  for (const name of history.ports()) {
    const key = name.toLowerCase();
    let ledger = ledgerOf.get(key);
    if (ledger === undefined) ledgerOf.set(key, (ledger = new Map<string, PortSummary>()));
    ledger.set(name, history.summary(name) ?? { latest: [], recent: [] });
  }
  const pendingOf = pendingByFile(pending);
  await mkdir(join(dir, PORTS_DIR), { recursive: true });
  let files = 0;
  let ports = 0;
  const pendingPorts: string[] = [];
  for (const key of new Set([...ledgerOf.keys(), ...pendingOf.keys()])) {
    const file = portFile(ledgerOf.get(key) ?? new Map<string, PortSummary>(), pendingOf.get(key) ?? []);
    if (file === undefined) continue;
    writeFileSync(join(dir, portFilePath(key)), JSON.stringify(file));
    files += 1;
    const names = Object.values(file.ports);
    ports += names.length;
    if (names.some((summary) => summary.pending !== undefined)) pendingPorts.push(key);
    if (files % FILES_PER_TURN === 0) await setImmediate();
  }
  return { files, ports, pendingPorts: pendingPorts.sort() };
}
