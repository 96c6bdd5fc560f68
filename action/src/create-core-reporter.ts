import { randomUUID } from 'node:crypto';
import * as core from '@actions/core';
import type { StepReporter } from './step-reporter.ts';

/**
 * The runner-facing `StepReporter`: workflow commands, `$GITHUB_OUTPUT` and `$GITHUB_STEP_SUMMARY` through @actions/core.
 *
 * Every group holds a command's output as it came (mpbb, a port's build, the deploy command),
 * and the runner obeys a line of it that reads like a workflow command (`::add-mask::`,
 * `::error::`, `::set-output name=…::`, `::stop-commands::`): a port's build output (an
 * upstream configure script) would steer the farm's job. So a group stops command processing
 * with a token nobody can guess (`::stop-commands::<token>`) and resumes it (`::<token>::`)
 * before it ends; the lines in between are shown as text. A line of it that starts with `##[`
 * (`##[group]portfarm log install-port/main.log`) is in the job log as GitHub serves it, where
 * the controller cuts the archived step logs at such markers: it gets a zero-width space in
 * front, so it reads the same and marks nothing.
 */
export function createCoreReporter(): StepReporter {
  let resume: string | null = null;
  return {
    info: (line) => {
      core.info(resume !== null && line.startsWith('##[') ? `\u200b${line}` : line);
    },
    startGroup: (name) => {
      core.startGroup(name);
      resume = randomUUID();
      core.info(`::stop-commands::${resume}`);
    },
    endGroup: () => {
      if (resume !== null) core.info(`::${resume}::`);
      resume = null;
      core.endGroup();
    },
    warning: (message, title) => {
      core.warning(message, { title });
    },
    error: (message, title) => {
      core.error(message, { title });
    },
    setOutput: (name, value) => {
      core.setOutput(name, value);
    },
    appendSummary: async (markdown) => {
      await core.summary.addRaw(markdown, true).write();
    },
  };
}
