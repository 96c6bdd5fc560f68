import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { MPBB_STEP_LOGS, stepLogGroup } from '../../site/lookup/archived-step-log.ts';
import type { StepReporter } from './step-reporter.ts';

/**
 * Prints the logs mpbb wrote for a step (`port-contents.txt`, `main.log`…) into the job log,
 * each in its own group, after the step ran, whether it failed or not. The controller copies
 * the job log out of GitHub and cuts these groups out as the step's own logs, so they reach the
 * archive from any VM backend without a channel of their own. A log mpbb did not write (the
 * port failed before it) is left out: the build page says which logs were not kept.
 */
export async function printStepLogs(step: string, workDir: string, reporter: StepReporter): Promise<number> {
  let printed = 0;
  for (const { log, file } of MPBB_STEP_LOGS[step] ?? []) {
    let text: string;
    try {
      text = await readFile(join(workDir, 'logs', file), 'utf8');
    } catch (caught) {
      if ((caught as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw caught;
    }
    reporter.startGroup(stepLogGroup(step, log));
    try {
      for (const line of text.replace(/\n$/, '').split('\n')) reporter.info(line);
    } finally {
      reporter.endGroup();
    }
    printed += 1;
  }
  return printed;
}

/**
 * Removes what an earlier run left of a step's logs before mpbb runs it: mpbb does not empty
 * port-contents.txt or main.log itself, and a work directory may be reused, so a log printed
 * after the step is always this run's.
 */
export async function clearStepLogs(step: string, workDir: string): Promise<void> {
  for (const { file } of MPBB_STEP_LOGS[step] ?? []) await rm(join(workDir, 'logs', file), { force: true });
}
