import type { StatusSnapshot } from '../status/status-snapshot.ts';
import { fitText } from './fit-text.ts';
import type { PaneModel } from './pane-model.ts';
import { segment } from './screen-line.ts';

/** Alerts: one line each (enter shows the whole text). */
export function buildAlertsPane(snapshot: StatusSnapshot, _nowMs: number, width: number): PaneModel {
  return {
    header: null,
    items: snapshot.alerts.map((alert) => ({ lines: [[segment(fitText(`! ${alert}`, width), 'warn')]] })),
    empty: 'no alerts',
    selectable: true,
  };
}
