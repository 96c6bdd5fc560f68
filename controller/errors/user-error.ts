/**
 * A failure caused by what the user gave us (a flag, a config file, an input).
 * The CLI prints `message` without a stack trace and exits with `exitCode` (2: usage).
 * Such failures are permanent: retrying with the same input fails the same way.
 */
export class UserError extends Error {
  readonly exitCode: number;
  readonly retryable = false;
  constructor(message: string, options: { exitCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UserError';
    this.exitCode = options.exitCode ?? 2;
  }
}
