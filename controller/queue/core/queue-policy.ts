/**
 * The scheduling rules the simulator compares; the controller always runs `portfarm`. All
 * three go through the same core functions, only these switches differ.
 */
export interface QueuePolicy {
  readonly name: 'legacy' | 'proposed' | 'portfarm';
  /**
   * The oldest pending watcher runs before any builder. Without it (buildbot as deployed) a
   * watcher runs only once every builder an earlier watcher triggered has finished.
   */
  readonly watcherFirst: boolean;
  /** One pending build per port (newest revision wins) and consecutive pending watchers merged. */
  readonly coalesce: boolean;
  /** Cancel a dispatched-not-started builder when a watcher arrives. */
  readonly preempt: boolean;
  /** Builders by dependency rank (commit builders before rebuild builders, dependencies pulled forward) instead of FIFO. */
  readonly dependencyOrder: boolean;
  /**
   * A builder starts only when no port of its dependency closure is pending, in flight or
   * failed on the platform; dependents of a failed port are held as blocked (no VM, no mail)
   * until it builds. Without it (buildbot, today's farm with one run at a time) a dependent of
   * a failed port runs and fails too.
   */
  readonly dependencySafe: boolean;
  /** PR builds get one run in `prShare` when master work is waiting. */
  readonly prShare: number;
}

export const POLICY_NAMES = ['legacy', 'proposed', 'portfarm'] as const;
export type PolicyName = (typeof POLICY_NAMES)[number];

export const POLICIES: Readonly<Record<PolicyName, QueuePolicy>> = {
  legacy: { name: 'legacy', watcherFirst: false, coalesce: false, preempt: false, dependencyOrder: false, dependencySafe: false, prShare: 5 },
  proposed: { name: 'proposed', watcherFirst: true, coalesce: false, preempt: false, dependencyOrder: false, dependencySafe: false, prShare: 5 },
  portfarm: { name: 'portfarm', watcherFirst: true, coalesce: true, preempt: true, dependencyOrder: true, dependencySafe: true, prShare: 5 },
};
