import type { RunnerStatus } from '../status/status-snapshot.ts';
import { secondsSince } from './format-duration.ts';

export type Suspicion = NonNullable<RunnerStatus['suspicious']>;

/** An ephemeral runner online this long without a job took no job and will not. */
export const IDLE_LIMIT_SECONDS = 120;

/**
 * The controller's verdict, or "idle too long" computed here: the TUI's clock moves between
 * snapshots, and the event stream only sends a snapshot when something changed.
 */
export function runnerSuspicion(runner: RunnerStatus, nowMs: number): Suspicion | null {
  if (runner.suspicious !== null) return runner.suspicious;
  const idle = runner.status === 'online' && !runner.busy && runner.jobStartedAt === null;
  return idle && secondsSince(runner.registeredAt, nowMs) > IDLE_LIMIT_SECONDS ? 'idle-too-long' : null;
}

export const SUSPICION_WORDS: Readonly<Record<Suspicion, string>> = {
  'idle-too-long': 'online, no job > 2m',
  'registration-without-vm': 'registration without VM',
  'vm-without-registration': 'VM without registration',
};
