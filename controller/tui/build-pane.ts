import type { StatusSnapshot } from '../status/status-snapshot.ts';
import { buildAlertsPane } from './build-alerts-pane.ts';
import { buildFailuresPane } from './build-failures-pane.ts';
import { buildHostsPane } from './build-hosts-pane.ts';
import { buildQueuesPane } from './build-queues-pane.ts';
import { buildRunnersPane } from './build-runners-pane.ts';
import type { PaneId } from './pane-id.ts';
import type { PaneModel } from './pane-model.ts';

const BUILDERS: Readonly<Record<PaneId, (snapshot: StatusSnapshot, nowMs: number, width: number) => PaneModel>> = {
  hosts: buildHostsPane,
  runners: buildRunnersPane,
  queues: buildQueuesPane,
  failures: buildFailuresPane,
  alerts: buildAlertsPane,
};

export function buildPane(pane: PaneId, snapshot: StatusSnapshot, nowMs: number, width: number): PaneModel {
  return BUILDERS[pane](snapshot, nowMs, width);
}
