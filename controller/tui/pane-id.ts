/** The panes of the dashboard, in tab order. */
export const PANE_IDS = ['hosts', 'runners', 'queues', 'failures', 'alerts'] as const;

export type PaneId = (typeof PANE_IDS)[number];

export const PANE_TITLES: Readonly<Record<PaneId, string>> = {
  hosts: 'Hosts',
  runners: 'Runners',
  queues: 'Queues',
  failures: 'Failures',
  alerts: 'Alerts',
};
