import { readFileSync } from 'node:fs';

/** One port of the trimmed fixture (test/fixtures/mpbb/ports.json), as the real data set has it. */
export interface FixturePort {
  readonly name: string;
  readonly category: string;
  readonly version: string;
  readonly subports: readonly string[];
  readonly depends: Readonly<Record<string, readonly string[]>>;
  readonly subport_depends: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
  readonly maintainers: readonly string[];
  readonly obsolete: boolean;
}

/** A buildable name (a port or one of its subports) and the Portfile it comes from. */
export interface IndexEntry {
  readonly name: string;
  readonly port: FixturePort;
}

/** The double's PortIndex: names are case-insensitive, as in MacPorts. */
export interface PortIndex {
  readonly ports: readonly FixturePort[];
  lookup(name: string): IndexEntry | undefined;
  dependencies(entry: IndexEntry): readonly string[];
}

export function loadPortIndex(path: string): PortIndex {
  // The fixture wraps the ports with its source; the data set's own ports.json is a bare array.
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as { ports: FixturePort[] } | FixturePort[];
  const ports = Array.isArray(parsed) ? parsed : parsed.ports;
  const byName = new Map<string, IndexEntry>();
  for (const port of ports) {
    byName.set(port.name.toLowerCase(), { name: port.name, port });
    for (const subport of port.subports) byName.set(subport.toLowerCase(), { name: subport, port });
  }
  return {
    ports,
    lookup: (name) => byName.get(name.toLowerCase()),
    dependencies(entry) {
      const lists = entry.name === entry.port.name ? entry.port.depends : (entry.port.subport_depends[entry.name] ?? entry.port.depends);
      return [...new Set(Object.values(lists).flat())];
    },
  };
}
