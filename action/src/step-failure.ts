/**
 * Why a step failed, in words a maintainer can act on. `retryable` says whether running the
 * same job again can help (an mpbb internal error, the controller unreachable) or not (a port
 * that fails to build, a bad input); only the entry point (the controller) decides to retry.
 */
export class StepFailure extends Error {
  readonly retryable: boolean;
  /** Annotation title, e.g. "curl failed in install-port (15_arm64)". */
  readonly title: string;
  readonly phase: string;
  readonly port: string | undefined;
  readonly exitCode: number | undefined;

  constructor(
    message: string,
    options: { title: string; phase: string; retryable: boolean; port?: string | undefined; exitCode?: number | undefined; cause?: unknown },
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StepFailure';
    this.title = options.title;
    this.phase = options.phase;
    this.retryable = options.retryable;
    this.port = options.port;
    this.exitCode = options.exitCode;
  }
}
