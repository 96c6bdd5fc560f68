/**
 * How the JIT runner gets its config: on stdin, never on a command line. A command line is
 * readable by every user of the host (`ps`) and of the VM, and lands in command errors and
 * logs; the runner reads the same value from this variable (actions/runner `GetArg`, used by
 * actions-runner-controller for the same reason).
 */
export const JIT_CONFIG_ENV = 'ACTIONS_RUNNER_INPUT_JITCONFIG';

/** Starts the runner in the VM: reads one line of stdin into the variable, then runs `run.sh` with no arguments. */
export const DEFAULT_RUNNER_COMMAND: readonly string[] = [
  '/bin/sh',
  '-c',
  `IFS= read -r ${JIT_CONFIG_ENV} && export ${JIT_CONFIG_ENV} && exec /Users/admin/actions-runner/run.sh`,
];

/** What the runner command is given on stdin. */
export function runnerInput(encodedJitConfig: string): string {
  return `${encodedJitConfig}\n`;
}
