/**
 * One idempotent step of the image recipe. `check` exits 0 when the step's result is already
 * in the VM (the step is then skipped); `apply` makes it so and may be rerun after a partial
 * failure. A `manual` step has no apply: the operator does it (README) and reruns.
 */
export interface RecipeStep {
  readonly id: string;
  readonly title: string;
  /** Shell script (run as root in the VM) that exits 0 when the step is done. */
  readonly check: string;
  /** Shell script that does the step, or null for a manual step. */
  readonly apply: string | null;
  /** For a manual step: what the operator must do. */
  readonly manual: string | null;
}

/** How a script runs in the VM: as root through passwordless sudo, stopping at the first failing command. */
export function stepArgv(script: string): readonly string[] {
  return ['sudo', '-n', '/bin/sh', '-eu', '-c', script];
}
