/**
 * Reading the controller's status failed: `problem` says what happened at which URL, `hint`
 * how to fix it. Unreachable and timed-out controllers are retryable; an answer this TUI
 * cannot read is not (retrying gets the same answer) but the TUI keeps trying anyway.
 */
export class StatusFetchError extends Error {
  readonly url: string;
  readonly problem: string;
  readonly hint: string;
  readonly retryable: boolean;
  constructor(url: string, problem: string, hint: string, options: { retryable: boolean; cause?: unknown }) {
    super(`${problem}; ${hint}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StatusFetchError';
    this.url = url;
    this.problem = problem;
    this.hint = hint;
    this.retryable = options.retryable;
  }
}
