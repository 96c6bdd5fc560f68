import type { RunnersConfig } from '../config/config-schema.ts';
import type { RunnerManagerOptions } from '../runners/runner-manager.ts';

/** The `runners:` section (seconds) as the runner manager's options (milliseconds). */
export function runnerOptionsFromConfig(
  runners: RunnersConfig,
): Required<Pick<RunnerManagerOptions, 'deadlines' | 'retry' | 'watchdogIntervalMs' | 'reconcileIntervalMs' | 'prVmsPerRun'>> {
  const ms = (seconds: number): number => Math.round(seconds * 1000);
  return {
    deadlines: {
      cloneMs: ms(runners.cloneSeconds),
      bootMs: ms(runners.bootSeconds),
      runnerOnlineMs: ms(runners.runnerOnlineSeconds),
      jobTakenMs: ms(runners.jobTakenSeconds),
      warmIdleMs: ms(runners.warmIdleSeconds),
      prJobMs: ms(runners.prJobMaxSeconds),
    },
    prVmsPerRun: runners.prVmsPerRun,
    retry: { maxAttempts: runners.maxAttempts, baseDelayMs: ms(runners.retryBaseSeconds), maxDelayMs: ms(runners.retryMaxSeconds) },
    watchdogIntervalMs: ms(runners.watchdogIntervalSeconds),
    reconcileIntervalMs: ms(runners.reconcileIntervalSeconds),
  };
}
