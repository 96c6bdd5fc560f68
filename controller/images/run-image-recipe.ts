import { coerceError } from '../errors/coerce-error.ts';
import type { ExecResult, VmBackend } from '../runners/backends/vm-backend.ts';
import { VmBackendError } from '../runners/backends/vm-backend.ts';
import { ImageStepError } from './image-step-error.ts';
import { stepArgv, type RecipeStep } from './recipe-step.ts';

export type StepOutcome = 'skipped' | 'applied';

export interface RecipeProgress {
  readonly index: number;
  readonly total: number;
  readonly step: RecipeStep;
  readonly phase: 'checking' | 'applying' | StepOutcome;
}

export interface RunImageRecipeOptions {
  readonly backend: Pick<VmBackend, 'exec'>;
  readonly vmId: string;
  readonly steps: readonly RecipeStep[];
  readonly signal: AbortSignal;
  /** Called before and after each step; the caller shows it and persists outcomes. */
  readonly onProgress?: (progress: RecipeProgress) => void | Promise<void>;
}

/**
 * Runs the recipe in a booted VM: each step's check first, its apply only when the check fails,
 * then the check again to prove the apply worked. A rerun after any failure skips what is done.
 */
export async function runImageRecipe(options: RunImageRecipeOptions): Promise<ReadonlyMap<string, StepOutcome>> {
  const outcomes = new Map<string, StepOutcome>();
  const total = options.steps.length;
  const report = async (index: number, step: RecipeStep, phase: RecipeProgress['phase']): Promise<void> => {
    await options.onProgress?.({ index, total, step, phase });
  };
  for (const [index, step] of options.steps.entries()) {
    options.signal.throwIfAborted();
    await report(index, step, 'checking');
    const before = await execStep(options, step, step.check);
    if (before.exitCode === 0) {
      outcomes.set(step.id, 'skipped');
      await report(index, step, 'skipped');
      continue;
    }
    if (step.apply === null) {
      throw new ImageStepError(`step ${step.id} (${step.title}) is not done and is manual: ${step.manual ?? 'see the README'}`, {
        stepId: step.id,
        retryable: false,
        exitCode: before.exitCode,
      });
    }
    await report(index, step, 'applying');
    const applied = await execStep(options, step, step.apply);
    if (applied.exitCode !== 0) {
      throw new ImageStepError(
        `step ${step.id} (${step.title}) failed with exit ${applied.exitCode}: ${tail(applied)}; ` +
          'fix the cause and rerun portfarm image prepare, it resumes at this step',
        { stepId: step.id, retryable: true, exitCode: applied.exitCode },
      );
    }
    const after = await execStep(options, step, step.check);
    if (after.exitCode !== 0) {
      throw new ImageStepError(
        `step ${step.id} (${step.title}) ran without error but its check still fails (exit ${after.exitCode}); ` +
          'the recipe and the VM disagree, inspect the VM before rerunning',
        { stepId: step.id, retryable: false, exitCode: after.exitCode },
      );
    }
    outcomes.set(step.id, 'applied');
    await report(index, step, 'applied');
  }
  return outcomes;
}

async function execStep(options: RunImageRecipeOptions, step: RecipeStep, script: string): Promise<ExecResult> {
  try {
    return await options.backend.exec(options.vmId, stepArgv(script), { signal: options.signal });
  } catch (caught) {
    const error = coerceError(caught);
    if (options.signal.aborted) throw error;
    throw new ImageStepError(`step ${step.id}: could not run a command in VM ${options.vmId}: ${error.message}`, {
      stepId: step.id,
      retryable: error instanceof VmBackendError ? error.retryable : true,
      cause: error,
    });
  }
}

function tail(result: ExecResult): string {
  const text = (result.stderr.trim() === '' ? result.stdout : result.stderr).trim();
  const lines = text.split('\n').slice(-3).join(' | ');
  return lines === '' ? '(no output)' : lines;
}
