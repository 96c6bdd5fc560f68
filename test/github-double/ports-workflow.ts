import { buildLabel } from '../../controller/model/build-id.ts';

/** One step of a job; `if` false marks it skipped before the runner starts, as Actions does. */
export interface WorkflowStep {
  readonly name: string;
  readonly if?: (inputs: Readonly<Record<string, string>>) => boolean;
}

export interface WorkflowJobModel {
  /** The job's id in the workflow file. */
  readonly key: string;
  readonly name: string;
  /** The job's `if:`; false makes the job complete as skipped at once (no runner), as Actions does. */
  readonly if?: (inputs: Readonly<Record<string, string>>) => boolean;
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
 * The `ports` workflow as `.github/workflows/ports.yml` defines it: run name
 * `[<build_id>] <port or watcher> on <platform>`, concurrency group `ports-<platform>` (`-<lane>` appended for lanes above 0), one
 * job that only a runner labelled with the platform and `portfarm-build-<build_id>` may
 * take, watcher or builder steps chosen by `if:` (the other role's steps show as skipped).
 * ports.yml's `deploy` job (a GitHub-hosted runner, after a builder that staged distributable
 * archives) is not modelled: no portfarm runner takes it and the controller ignores its events.
 */
export const portsWorkflow: WorkflowModel = {
  name: 'ports',
  path: '.github/workflows/ports.yml',
  inputs: ['platform', 'portname', 'ports_sha', 'build_id', 'force', 'portlist', 'lane'],
  runName: (inputs) =>
    `${(inputs.build_id ?? '') === '' ? 'manual:' : `[${inputs.build_id ?? ''}]`} ${isWatcher(inputs) ? (inputs.force === 'true' ? 'watcher (full rebuild)' : 'watcher') : (inputs.portname ?? '')} on ${inputs.platform ?? ''}`,
  concurrencyGroup: (inputs) => `ports-${inputs.platform ?? ''}${(inputs.lane ?? '') === '' ? '' : `-${inputs.lane ?? ''}`}`,
  jobs: (inputs) => [
    {
      key: 'ports',
      name: `${isWatcher(inputs) ? 'watcher' : `builder ${inputs.portname ?? ''}`} (${inputs.platform ?? ''})`,
      // ports.yml: `if: inputs.build_id != ''` — a run started by hand does no work itself.
      if: (i) => (i.build_id ?? '') !== '',
      runsOn: ['self-hosted', inputs.platform ?? '', buildLabel(inputs.build_id ?? '')],
      steps: [
        { name: 'Set up job' },
        { name: 'fetch mpbb' },
        { name: 'cleanup' },
        { name: 'selfupdate MacPorts' },
        { name: 'sync ports tree' },
        { name: 'watcher: list subports and hand them to the controller', if: isWatcher },
        { name: 'watcher: mirror distfiles', if: isWatcher },
        { name: 'builder: install dependencies', if: (i) => !isWatcher(i) },
        { name: 'builder: install port', if: (i) => !isWatcher(i) },
        { name: 'builder: gather archives', if: (i) => !isWatcher(i) },
        { name: 'builder: upload archives', if: (i) => !isWatcher(i) },
        { name: 'builder: cleanup', if: (i) => !isWatcher(i) },
        { name: 'Complete job' },
      ],
    },
  ],
};
