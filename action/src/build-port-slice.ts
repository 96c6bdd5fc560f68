import { readFileSync } from 'node:fs';
import { explainBadPortName } from '../../controller/model/port-name.ts';
import { stableLogUrl } from '../../site/lookup/stable-log-url.ts';
import type { ActionInputs } from './action-inputs.ts';
import { describeError } from './describe-error.ts';
import { portSlice } from './plan-pull-request-builds.ts';
import { runStep, type StepDeps, type StepOutcome } from './run-step.ts';
import { StepFailure } from './step-failure.ts';

/** What one port of the slice came to. */
interface PortResult {
  readonly port: string;
  readonly failure: StepFailure | undefined;
}

/** The list list-subports wrote: a JSON list of port names, each checked (the PR's own Portfiles made it). */
function readPortsFile(path: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new StepFailure(`cannot read the port list ${path}: ${error instanceof Error ? error.message : String(error)}. Download the list job's artifact to this path before the build-ports step`, {
      title: 'port list missing',
      phase: 'build-ports',
      retryable: false,
    });
  }
  if (!Array.isArray(parsed)) throw new StepFailure(`${path} is not a JSON list of port names`, { title: 'bad port list', phase: 'build-ports', retryable: false });
  return parsed.map((name: unknown) => {
    const problem = typeof name === 'string' ? explainBadPortName(name) : 'is not a string';
    if (problem !== undefined) throw new StepFailure(`${path} lists ${JSON.stringify(name)}, which ${problem}`, { title: 'bad port list', phase: 'build-ports', retryable: false });
    return name as string;
  });
}

function summaryOf(inputs: ActionInputs, slice: readonly string[], results: readonly PortResult[], logUrl: string): string {
  const failed = results.filter((r) => r.failure !== undefined).length;
  return [
    // Numbered from 0, as the job's name (matrix.chunk) numbers it.
    `### portfarm PR builder · ${inputs.platform} · chunk ${String(inputs.chunk ?? 0)} (chunks 0–${String((inputs.chunks ?? 1) - 1)})`,
    '',
    `${String(results.length - failed)} of ${String(slice.length)} ports built, ${String(failed)} failed ([log](${logUrl})).`,
    '',
    '| Port | Result | Failing phase |',
    '| --- | --- | --- |',
    ...results.map((r) => `| ${r.port} | ${r.failure === undefined ? 'built' : 'failed'} | ${r.failure?.phase ?? '—'} |`),
  ].join('\n');
}

/**
 * `build-ports`: a chunk job of a pull request too large for a job per port (ports-pr.yml,
 * plan-pull-request-builds.ts). Builds its slice of the list in dependency order on this one
 * VM — install-dependencies and install-port for each port, `mpbb cleanup` after each so the
 * next starts from a clean prefix — and fails when any port failed, with an annotation per
 * failed port and a summary table of every port, so a reviewer sees each port's result.
 */
export async function buildPortSlice(inputs: ActionInputs, deps: StepDeps): Promise<StepOutcome> {
  const logUrl = stableLogUrl(inputs['site-url'], inputs['build-id'], inputs.step);
  let slice: string[];
  try {
    slice = portSlice(readPortsFile(inputs['ports-file']), inputs.chunk ?? 0, inputs.chunks ?? 1);
  } catch (error) {
    if (!(error instanceof StepFailure)) throw error;
    return { result: 'failure', outputs: { result: 'failure', 'log-url': logUrl }, summary: undefined, failure: error };
  }
  deps.reporter.info(`Chunk ${String(inputs.chunk ?? 0)} of ${String(inputs.chunks ?? 1)}: ${String(slice.length)} ports, in dependency order: ${slice.join(' ')}`);
  const results: PortResult[] = [];
  for (const port of slice) {
    let failure: StepFailure | undefined;
    for (const step of ['install-dependencies', 'install-port'] as const) {
      const outcome = await runStep({ ...inputs, step, port }, deps);
      failure = outcome.failure;
      if (failure !== undefined) break;
    }
    // The next port starts from a clean prefix whatever this one did; a failed cleanup fails the port.
    const cleanup = await runStep({ ...inputs, step: 'cleanup', port }, deps);
    failure ??= cleanup.failure;
    if (failure !== undefined) deps.reporter.error(describeError(failure), failure.title);
    results.push({ port, failure });
  }
  const failedPorts = results.filter((r) => r.failure !== undefined).map((r) => r.port);
  const outputs = { result: failedPorts.length === 0 ? 'success' : 'failure', built: String(results.length - failedPorts.length), failed: String(failedPorts.length), 'failed-ports': failedPorts.join(' '), 'log-url': logUrl };
  const failure =
    failedPorts.length === 0
      ? undefined
      : new StepFailure(`${String(failedPorts.length)} of ${String(slice.length)} ports failed on ${inputs.platform}: ${failedPorts.join(', ')} (each has its own annotation)`, {
          title: `${String(failedPorts.length)} of ${String(slice.length)} ports failed (${inputs.platform})`,
          phase: 'build-ports',
          retryable: false,
        });
  return { result: failure === undefined ? 'success' : 'failure', outputs, summary: summaryOf(inputs, slice, results, logUrl), failure };
}
