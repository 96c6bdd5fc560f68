import type { StatusSnapshot } from '../status/status-snapshot.ts';

/** buildId → port, from the slots and queues of a snapshot (runners carry only the build id). */
export function portsOfBuilds(snapshot: StatusSnapshot): ReadonlyMap<string, string> {
  const ports = new Map<string, string>();
  for (const queue of snapshot.queues) {
    for (const entry of [queue.running, ...queue.next]) if (entry !== null && entry.port !== null) ports.set(entry.buildId, entry.port);
  }
  for (const host of snapshot.hosts) for (const slot of host.slots) if (slot.buildId !== null && slot.port !== null) ports.set(slot.buildId, slot.port);
  return ports;
}
