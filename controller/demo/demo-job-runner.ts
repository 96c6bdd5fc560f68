import { join } from 'node:path';
import type { RunnerJobMessage } from '../../test/github-double/github-double.ts';
import type { StepConclusion } from '../../test/github-double/runner-stand-in.ts';
import { FAILING, PULL_REQUEST } from './demo-scenario.ts';
import { runPortsJob, type PortsJobResult } from './run-ports-job.ts';

export interface DemoJobContext {
  /** The repository root (the action and workflows are run from it). */
  readonly root: string;
  readonly controllerUrl: string;
  readonly tokenUrl: string;
  readonly portsJson: string;
  readonly paths: { readonly logs: string; readonly vms: string; readonly distfiles: string };
  readonly deployCommand: string;
  readonly signal: AbortSignal;
}

/**
 * What runs inside a demo VM: the runner stand-in asks step by step; the whole job runs at its
 * first step and each step answers from that; the job's outputs (a PR list job's `ports`) go
 * back when it completes. The mpbb double fails the scenario's failing ports.
 */
export function demoJobRunner(vmId: string, ctx: DemoJobContext) {
  let job: Promise<PortsJobResult> | undefined;
  const start = (message: RunnerJobMessage): Promise<PortsJobResult> => {
    const pullRequest = message.workflowFile !== 'ports.yml';
    job ??= runPortsJob(message, {
      root: ctx.root,
      vmDir: join(ctx.paths.vms, vmId),
      logDir: join(ctx.paths.logs, message.inputs.build_id ?? vmId),
      controllerUrl: ctx.controllerUrl,
      tokenUrl: `${ctx.tokenUrl}?run_id=${message.runId}&sha=${message.inputs.ports_sha ?? ''}`,
      portsJson: ctx.portsJson,
      runId: message.runId,
      // The PR's 3proxy change breaks 3proxy; master's 3proxy builds.
      failures: [`${FAILING.port}:${FAILING.phase}`, ...(pullRequest ? [`${PULL_REQUEST.failing.port}:${PULL_REQUEST.failing.phase}`] : [])],
      deployCommand: ctx.deployCommand,
      distfilesDir: ctx.paths.distfiles,
      signal: ctx.signal,
    });
    return job;
  };
  return {
    runStep: async (step: { readonly name: string }, message: RunnerJobMessage): Promise<StepConclusion> => {
      const { outcomes } = await start(message);
      return outcomes.get(step.name) ?? (step.name === 'Set up job' || step.name === 'Complete job' ? 'success' : 'skipped');
    },
    outputs: async (message: RunnerJobMessage): Promise<Readonly<Record<string, string>>> => (await start(message)).jobOutputs,
  };
}
