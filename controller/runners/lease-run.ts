import type { Logger } from 'pino';
import type { ExecResult } from './backends/vm-backend.ts';
import { AttemptFailure, toFailure, type Lease } from './lease.ts';
import { linkSignals } from './link-signals.ts';
import { backendOf, enter, type ManagerContext } from './manager-context.ts';
import { redactError } from './redact-secret.ts';
import { runnerInput } from './runner-command.ts';

/**
 * Starts the runner and waits for the job: resolves when the job is over (completed, taken
 * elsewhere, or the runner exited after it), rejects with the attempt's failure otherwise. The
 * job events themselves arrive in workflow-job-handler.ts.
 */
export async function runJob(ctx: ManagerContext, lease: Lease, vmId: string, jitConfig: string, byStartupScript: boolean, log: Logger): Promise<void> {
  enter(ctx, lease, 'starting-runner');
  // Not tied to shutdown: a graceful stop leaves a running job alone (the next start adopts it).
  const runLink = linkSignals([lease.attemptControl.signal, lease.finished.signal]);
  const runSignal = runLink.signal;
  // A startup-script runner's exit is not observable here: the watchdog's runner-online and job-taken deadlines cover it.
  // The JIT config goes on stdin, never on a command line (`ps`, command errors); errors are redacted all the same.
  const runnerExit: Promise<ExecResult> = byStartupScript
    ? new Promise<never>(() => undefined)
    : backendOf(ctx, lease.platform.backend)
        .exec(vmId, ctx.runnerCommand, { signal: runSignal, input: runnerInput(jitConfig) })
        .catch((error: unknown) => {
          throw redactError(error, jitConfig);
        });
  await new Promise<void>((resolve, reject) => {
    let settled = false;
    const onAbort = (): void => {
      settled = true;
      if (lease.finished.signal.aborted) resolve();
      else reject(toFailure(runSignal.reason, runSignal));
    };
    if (runSignal.aborted) onAbort();
    else runSignal.addEventListener('abort', onAbort, { once: true });
    runnerExit.then(
      (result) => {
        runSignal.removeEventListener('abort', onAbort);
        if (settled) return;
        if (lease.jobTaken) {
          log.info({ exitCode: result.exitCode }, 'runner exited after its job');
          resolve();
        } else {
          reject(new AttemptFailure('runner-exited', `runner exited with ${result.exitCode} before taking a job`, true));
        }
      },
      (error: unknown) => {
        runSignal.removeEventListener('abort', onAbort);
        if (lease.finished.signal.aborted || lease.jobTaken) resolve();
        else reject(toFailure(error, runSignal));
      },
    );
  }).finally(() => {
    runLink.dispose();
  });
}
