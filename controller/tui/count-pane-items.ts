import type { StatusSnapshot } from '../status/status-snapshot.ts';
import type { PaneCounts } from './reduce-key.ts';

export const NO_ITEMS: PaneCounts = { hosts: 0, runners: 0, queues: 0, failures: 0, alerts: 0 };

export function countPaneItems(snapshot: StatusSnapshot | null): PaneCounts {
  if (snapshot === null) return NO_ITEMS;
  return {
    hosts: snapshot.hosts.length,
    runners: snapshot.runners.length,
    queues: snapshot.queues.length,
    failures: snapshot.failures.length,
    alerts: snapshot.alerts.length,
  };
}
