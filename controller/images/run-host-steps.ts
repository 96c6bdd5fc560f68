import { coerceError } from '../errors/coerce-error.ts';
import type { HostRef } from '../runners/backends/vm-backend.ts';
import type { HostShell } from './host-shell.ts';
import { ImageStepError } from './image-step-error.ts';
import type { RecipeStep } from './recipe-step.ts';
import type { StepOutcome } from './run-image-recipe.ts';

/** Runs check/apply steps on a VM host (sealing, image deletion), with the same skip-if-done rule as the recipe. */
export async function runHostSteps(
  shell: HostShell,
  host: HostRef,
  steps: readonly RecipeStep[],
  signal: AbortSignal,
  onStep?: (step: RecipeStep, outcome: StepOutcome) => void,
): Promise<void> {
  const sh = (script: string): readonly string[] => ['/bin/sh', '-eu', '-c', script];
  const run = async (step: RecipeStep, script: string): Promise<{ exitCode: number; stderr: string }> => {
    try {
      return await shell.run(host, sh(script), signal);
    } catch (caught) {
      throw new ImageStepError(`step ${step.id}: could not run a command on host ${host.name}: ${coerceError(caught).message}`, {
        stepId: step.id,
        retryable: true,
        cause: caught,
      });
    }
  };
  for (const step of steps) {
    signal.throwIfAborted();
    if ((await run(step, step.check)).exitCode === 0) {
      onStep?.(step, 'skipped');
      continue;
    }
    if (step.apply === null) throw new ImageStepError(`step ${step.id} is manual: ${step.manual ?? ''}`, { stepId: step.id, retryable: false });
    const applied = await run(step, step.apply);
    if (applied.exitCode !== 0) {
      throw new ImageStepError(`step ${step.id} (${step.title}) failed on host ${host.name} with exit ${applied.exitCode}: ${applied.stderr.trim().split('\n').slice(-3).join(' | ')}`, {
        stepId: step.id,
        retryable: true,
        exitCode: applied.exitCode,
      });
    }
    const after = await run(step, step.check);
    if (after.exitCode !== 0) {
      throw new ImageStepError(`step ${step.id} (${step.title}) ran on host ${host.name} but its check still fails`, { stepId: step.id, retryable: false });
    }
    onStep?.(step, 'applied');
  }
}
