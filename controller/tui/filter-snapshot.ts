import type { QueueStatus, StatusSnapshot } from '../status/status-snapshot.ts';

/**
 * The part of the snapshot a filter selects: by platform or port, case-insensitive substring.
 * A host matches by its platforms or the ports in its slots; a runner by its platform, name
 * or the port its build builds; a queue by platform or a port running or next.
 */
export function filterSnapshot(snapshot: StatusSnapshot, filter: string): StatusSnapshot {
  const q = filter.trim().toLowerCase();
  if (q === '') return snapshot;
  const has = (value: string | null): boolean => value !== null && value.toLowerCase().includes(q);
  const portOfBuild = new Map<string, string>();
  for (const host of snapshot.hosts) for (const slot of host.slots) if (slot.buildId !== null && slot.port !== null) portOfBuild.set(slot.buildId, slot.port);
  const queueMatches = (queue: QueueStatus): boolean =>
    has(queue.platform) || has(queue.running?.port ?? null) || queue.next.some((e) => has(e.port));
  return {
    ...snapshot,
    hosts: snapshot.hosts.filter((h) => h.platforms.some(has) || h.slots.some((s) => has(s.platform) || has(s.port)) || has(h.name)),
    runners: snapshot.runners.filter((r) => has(r.platform) || has(r.name) || has(r.buildId === null ? null : (portOfBuild.get(r.buildId) ?? null))),
    queues: snapshot.queues.filter(queueMatches),
    failures: snapshot.failures.filter((f) => has(f.platform) || has(f.port)),
    alerts: snapshot.alerts.filter(has),
  };
}
