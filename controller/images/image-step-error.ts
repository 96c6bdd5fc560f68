/**
 * A recipe or sealing step failed. `retryable`: rerunning `portfarm image prepare` may get past
 * it (a download failed, the VM went away); permanent: the operator must act first (a manual
 * step, or a step whose apply succeeded but whose check still fails — a recipe bug).
 */
export class ImageStepError extends Error {
  readonly stepId: string;
  readonly retryable: boolean;
  readonly exitCode: number | null;
  constructor(message: string, options: { stepId: string; retryable: boolean; exitCode?: number | null; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ImageStepError';
    this.stepId = options.stepId;
    this.retryable = options.retryable;
    this.exitCode = options.exitCode ?? null;
  }
}
