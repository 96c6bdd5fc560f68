import { readFileSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { portFilePath, type PendingBuild, type PortFile, type PortSummary } from '../lookup/site-map.ts';
import { ledgerPortsOf, pendingByFile, portFile } from './port-file.ts';
import { PortHistory, type NotedBuild } from './port-history.ts';

/** A port build of a new ledger line, in ledger order. */
export interface PortNote {
  readonly port: string;
  readonly build: NotedBuild;
}

export interface PortFilesBefore {
  /** Ports with a page (`SiteIndex.ports`). */
  readonly ports: number;
  /** The port files with pending builds (the manifest's `state.pendingPorts`). */
  readonly pendingPorts: readonly string[];
}

export interface PortFilesUpdated {
  readonly ports: number;
  readonly pendingPorts: readonly string[];
  /** Port files that are new, and port files removed (a port that had only pending builds and has none now). */
  readonly created: number;
  readonly removed: number;
}

/**
 * Adds the new lines' port builds to a written site's port files: only the files of the ports
 * they name are read back into a port history, the builds noted, those files written again.
 *
 * With an ETA snapshot now or at the last build (`pending` given, empty for none now), the files
 * with pending builds before (`before.pendingPorts`) and now are visited too: their pending part
 * read back is dropped, the new one put in, a port with only pending builds removed when it has
 * none any more. A file whose text does not change is not written again (the same snapshot for
 * most ports).
 */
export async function updatePortFiles(
  dir: string,
  before: PortFilesBefore,
  notes: readonly PortNote[],
  recentPerPort: number,
  write: (path: string, text: string) => Promise<void>,
  pending: ReadonlyMap<string, readonly PendingBuild[]> | undefined,
): Promise<PortFilesUpdated> {
  const pendingOf = pendingByFile(pending);
  const keys = new Set(notes.map((note) => note.port.toLowerCase()));
  if (pending !== undefined) for (const key of [...before.pendingPorts, ...pendingOf.keys()]) keys.add(key);

  const history = new PortHistory(recentPerPort);
  const was = new Map<string, { readonly text: string; readonly names: number } | undefined>();
  const names = new Map<string, Set<string>>();
  for (const key of keys) {
    const text = readIfThere(join(dir, portFilePath(key)));
    const kept = new Set<string>();
    if (text !== undefined) {
      const file = JSON.parse(text) as PortFile;
      for (const [name, summary] of ledgerPortsOf(file)) {
        history.restore(name, summary);
        kept.add(name);
      }
      was.set(key, { text, names: Object.keys(file.ports).length });
    } else was.set(key, undefined);
    names.set(key, kept);
  }
  for (const { port, build } of notes) {
    history.note(port, build);
    names.get(port.toLowerCase())?.add(port);
  }

  let ports = before.ports;
  let created = 0;
  let removed = 0;
  const pendingPorts = new Set(before.pendingPorts);
  for (const key of keys) {
    const ledger = new Map<string, PortSummary>();
    for (const name of names.get(key) ?? []) ledger.set(name, history.summary(name) ?? { latest: [], recent: [] });
    const file = portFile(ledger, pendingOf.get(key) ?? []);
    const old = was.get(key);
    const path = join(dir, portFilePath(key));
    pendingPorts.delete(key);
    if (file === undefined) {
      if (old !== undefined) {
        await unlink(path);
        removed += 1;
        ports -= old.names;
      }
      continue;
    }
    const summaries = Object.values(file.ports);
    if (summaries.some((summary) => summary.pending !== undefined)) pendingPorts.add(key);
    ports += summaries.length - (old?.names ?? 0);
    const text = JSON.stringify(file);
    if (text === old?.text) continue;
    if (old === undefined) created += 1;
    await write(path, text);
  }
  return { ports, pendingPorts: [...pendingPorts].sort(), created, removed };
}

function readIfThere(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (caught) {
    if ((caught as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read ${path}`, { cause: caught });
  }
}
