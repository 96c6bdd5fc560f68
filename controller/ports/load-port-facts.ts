import { readFileSync } from 'node:fs';
import type { PortFacts } from '../serve/port-facts.ts';

interface PortRecord {
  readonly name: string;
  readonly version?: string;
  readonly maintainers?: readonly string[];
  readonly subports?: readonly string[];
}

/** Maintainers and versions of the ports (and subports) in a ports.json, case-insensitively. */
export function loadPortFacts(portsJsonPath: string): PortFacts & { readonly names: readonly string[] } {
  const records = JSON.parse(readFileSync(portsJsonPath, 'utf8')) as readonly PortRecord[];
  const byName = new Map<string, PortRecord>();
  for (const record of records) {
    byName.set(record.name.toLowerCase(), record);
    for (const sub of record.subports ?? []) byName.set(sub.toLowerCase(), record);
  }
  return {
    names: records.map((r) => r.name),
    maintainersOf: (port) => byName.get(port.toLowerCase())?.maintainers ?? [],
    versionOf: (port) => byName.get(port.toLowerCase())?.version,
  };
}
