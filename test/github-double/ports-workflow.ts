import { buildLabel } from '../../controller/model/build-id.ts';

/** One step of a job; `if` false marks it skipped before the runner starts, as Actions does. */
export interface WorkflowStep {
  readonly name: string;
  readonly if?: (inputs: Readonly<Record<string, string>>) => boolean;
}

export interface WorkflowJobModel {
  readonly name: string;
  /** `runs-on` labels after expression evaluation: the runner must have all of them. */
  readonly runsOn: readonly string[];
  readonly steps: readonly WorkflowStep[];
}

/**
 * What the double needs to know about a workflow file: its `run-name`, its `concurrency`
 * group and its jobs, all as functions of the dispatch inputs (the double evaluates no YAML).
 */
export interface WorkflowModel {
  readonly name: string;
  readonly path: string;
  readonly inputs: readonly string[];
  runName(inputs: Readonly<Record<string, string>>): string;
  concurrencyGroup(inputs: Readonly<Record<string, string>>): string | null;
  jobs(inputs: Readonly<Record<string, string>>): readonly WorkflowJobModel[];
}

const isWatcher = (inputs: Readonly<Record<string, string>>): boolean => (inputs.portname ?? '') === '';

/**
 * The `ports` workflow as DESIGN.md describes it: watcher or builder by step `if:`s, run name
 * `[<build_id>] <port or watcher> <platform>`, concurrency group `ports-<platform>`, one job
 * that only a runner labelled `portfarm-build-<build_id>` may take.
 */
export const portsWorkflow: WorkflowModel = {
  name: 'ports',
  path: '.github/workflows/ports.yml',
  inputs: ['platform', 'portname', 'ports_sha', 'build_id', 'force', 'portlist', 'pr_number'],
  runName: (inputs) => `[${inputs.build_id ?? ''}] ${isWatcher(inputs) ? 'watcher' : (inputs.portname ?? '')} ${inputs.platform ?? ''}`,
  concurrencyGroup: (inputs) => `ports-${inputs.platform ?? ''}`,
  jobs: (inputs) => [
    {
      name: 'ports',
      runsOn: ['self-hosted', buildLabel(inputs.build_id ?? '')],
      steps: [
        { name: 'Set up job' },
        { name: 'Checkout ports tree' },
        { name: 'List subports', if: isWatcher },
        { name: 'Send port list', if: isWatcher },
        { name: 'Install dependencies', if: (i) => !isWatcher(i) },
        { name: 'Install port', if: (i) => !isWatcher(i) },
        { name: 'Gather archives', if: (i) => !isWatcher(i) },
        { name: 'Deploy archives', if: (i) => !isWatcher(i) && (i.pr_number ?? '') === '' },
        { name: 'Complete job' },
      ],
    },
  ],
};
