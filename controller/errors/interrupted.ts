/** The signals that stop the CLI gracefully (the first one; a second stops it at once). */
export type StopSignal = 'SIGINT' | 'SIGTERM';

const SIGNAL_NUMBERS: Readonly<Record<StopSignal, number>> = { SIGINT: 2, SIGTERM: 15 };

/** The shell's exit code for a process stopped by `signal`: 128 + its number (130 for SIGINT, 143 for SIGTERM). */
export function signalExitCode(signal: StopSignal): number {
  return 128 + SIGNAL_NUMBERS[signal];
}

/**
 * Work stopped because the user (Ctrl-C) or a supervisor (SIGTERM) asked: not a failure and not a
 * bug. The CLI's entry point aborts the subcommands' signal with one; a subcommand that can say
 * what its interruption left (a folder as before, a site to rebuild) throws one with that message.
 * The CLI prints the message without a stack trace and exits with the signal's conventional code.
 */
export class Interrupted extends Error {
  readonly signalName: StopSignal;
  readonly exitCode: number;
  constructor(signalName: StopSignal, message = `interrupted by ${signalName}`, options?: ErrorOptions) {
    super(message, options);
    this.name = 'Interrupted';
    this.signalName = signalName;
    this.exitCode = signalExitCode(signalName);
  }
}

/**
 * The interruption behind `caught`: `signal` was aborted by SIGINT/SIGTERM (its reason is an
 * `Interrupted`) and `caught` is that abort, or an AbortError, or wraps one of them. Otherwise
 * undefined: an error of its own that happened to come after a signal is still reported as one.
 */
export function interruptionOf(caught: unknown, signal: AbortSignal): Interrupted | undefined {
  if (caught instanceof Interrupted) return caught;
  const reason: unknown = signal.aborted ? signal.reason : undefined;
  if (!(reason instanceof Interrupted)) return undefined;
  for (let e: unknown = caught, depth = 0; e instanceof Error && depth < 16; e = e.cause, depth += 1) {
    if (e === reason || e.name === 'AbortError') return reason;
  }
  return undefined;
}
