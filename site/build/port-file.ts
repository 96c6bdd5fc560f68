import { SITE_MAP_VERSION, type PendingBuild, type PortFile, type PortSummary } from '../lookup/site-map.ts';

/** A port's pending builds as of the ETA snapshot, in the snapshot's order (`pendingByPort`). */
export type PendingOfPort = readonly [port: string, builds: readonly PendingBuild[]];

/** An ETA snapshot's pending builds by port file (lower-case name), each with the port as the snapshot spells it. */
export function pendingByFile(pending: ReadonlyMap<string, readonly PendingBuild[]> | undefined): Map<string, PendingOfPort[]> {
  const byFile = new Map<string, PendingOfPort[]>();
  for (const [port, builds] of pending ?? []) {
    const key = port.toLowerCase();
    let list = byFile.get(key);
    if (list === undefined) byFile.set(key, (list = []));
    list.push([port, builds]);
  }
  return byFile;
}

/**
 * What `/map/_ports/<lower-case name>.json` holds (`portFilePath`): the ledger's ports of that
 * name in any case, with their summaries, and the ETA snapshot's pending builds of the ports of
 * that name. A pending port the snapshot spells in another case than the ledger is the ledger's
 * port: the one spelt the same, else the first by name. Undefined when there is no port of that
 * name (no file). A function of the ports' summaries and the snapshot alone, so that a whole
 * build and an update in place, which visits only the files of the ports it touches, write the
 * same bytes.
 */
export function portFile(ledger: ReadonlyMap<string, PortSummary>, pending: readonly PendingOfPort[]): PortFile | undefined {
  const names = [...ledger.keys()];
  const sorted = [...names].sort((a, b) => a.localeCompare(b));
  const pendingOf = new Map<string, readonly PendingBuild[]>();
  for (const [port, builds] of pending) {
    const name = ledger.has(port) ? port : (sorted.find((known) => known.toLowerCase() === port.toLowerCase()) ?? port);
    if (!ledger.has(name) && !pendingOf.has(name)) names.push(name);
    pendingOf.set(name, builds);
  }
  if (names.length === 0) return undefined;
  // Null prototype: a port named like an Object property must be a port, not a prototype.
  const ports = Object.create(null) as Record<string, PortSummary>;
  for (const name of names.sort((a, b) => a.localeCompare(b))) {
    const summary = ledger.get(name) ?? { latest: [], recent: [] };
    const waiting = pendingOf.get(name);
    ports[name] = waiting === undefined ? summary : { ...summary, pending: waiting };
  }
  return { v: SITE_MAP_VERSION, ports };
}

/** The port names a port file holds builds of (a name with only pending builds is the snapshot's, not the ledger's). */
export function ledgerPortsOf(file: PortFile): [string, PortSummary][] {
  return Object.entries(file.ports).filter(([, summary]) => summary.latest.length > 0 || summary.recent.length > 0);
}
