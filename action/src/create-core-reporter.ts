import * as core from '@actions/core';
import type { StepReporter } from './step-reporter.ts';

/** The runner-facing `StepReporter`: workflow commands, `$GITHUB_OUTPUT` and `$GITHUB_STEP_SUMMARY` through @actions/core. */
export function createCoreReporter(): StepReporter {
  return {
    info: (line) => {
      core.info(line);
    },
    startGroup: (name) => {
      core.startGroup(name);
    },
    endGroup: () => {
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
