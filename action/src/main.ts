// The action's entry point: read the inputs, run the step with real clients, map the outcome
// to outputs, the job summary and the exit code. All decisions live in run-step.ts.
import * as core from '@actions/core';
import * as github from '@actions/github';
import { coerceError } from '../../controller/model/coerce-error.ts';
import { ActionInputError, readActionInputs } from './action-inputs.ts';
import { createCoreReporter } from './create-core-reporter.ts';
import { createExecaExec } from './create-execa-exec.ts';
import { describeError } from './describe-error.ts';
import { buildPortSlice } from './build-port-slice.ts';
import { runStep } from './run-step.ts';

const reporter = createCoreReporter();
try {
  const inputs = readActionInputs((name) => core.getInput(name));
  const deps = {
    exec: createExecaExec(),
    reporter,
    getIdToken: (audience: string) => core.getIDToken(audience),
    fetch: globalThis.fetch,
    now: Date.now,
    run: { eventName: github.context.eventName, serverUrl: github.context.serverUrl, repository: process.env.GITHUB_REPOSITORY ?? '', runId: github.context.runId },
  };
  // A chunk of a large pull request builds many ports, each through the single-port steps.
  const outcome = inputs.step === 'build-ports' ? await buildPortSlice(inputs, deps) : await runStep(inputs, deps);
  for (const [name, value] of Object.entries(outcome.outputs)) reporter.setOutput(name, value);
  if (outcome.summary !== undefined) await reporter.appendSummary(outcome.summary);
  if (outcome.failure !== undefined) {
    reporter.error(describeError(outcome.failure), outcome.failure.title);
    process.exitCode = core.ExitCode.Failure;
  }
} catch (caught) {
  const error = coerceError(caught);
  if (error instanceof ActionInputError) reporter.error(error.message, 'bad action input (permanent)');
  else reporter.error(`${describeError(error)}\n${error.stack ?? ''}`, 'portfarm action bug (please report it)');
  core.setOutput('result', 'failure');
  process.exitCode = core.ExitCode.Failure;
}
