/** The double's state, one record type per GitHub object it keeps. Times are ISO strings. */

export type RunEvent = 'workflow_dispatch' | 'pull_request' | 'push' | 'schedule';

export type RunStatusInDouble = 'pending' | 'queued' | 'in_progress' | 'completed';
export type Conclusion = 'success' | 'failure' | 'cancelled' | 'skipped' | 'neutral' | 'timed_out' | 'action_required';

export interface RunRecord {
  readonly id: number;
  readonly runNumber: number;
  readonly workflowFile: string;
  readonly workflowId: number;
  /** The workflow's `name:` (what the API calls a run's `name`). */
  readonly workflowName: string;
  /** The run's `run-name:` (the API's `display_title`). */
  readonly name: string;
  readonly inputs: Readonly<Record<string, string>>;
  /** What started the run: a dispatch (ports.yml), a pull request (ports-pr.yml, or a PR's own edit of any workflow), a push, a schedule. */
  readonly event: RunEvent;
  /** Who started the run (`actor`) and this attempt (`triggering_actor`): the App's bot for its dispatches, a person otherwise. */
  readonly actor: string;
  readonly triggeringActor: string;
  readonly runAttempt: number;
  /** Set for a run in another repository (the App installed there too): its id and `owner/name`. */
  readonly foreignRepository: { readonly id: number; readonly fullName: string } | null;
  /** For a `pull_request` run: the `github` and `vars` contexts its expressions read (the PR in `github.event`). */
  readonly context: Readonly<Record<string, unknown>>;
  readonly headBranch: string;
  readonly headSha: string;
  readonly group: string | null;
  readonly createdAt: string;
  status: RunStatusInDouble;
  conclusion: Conclusion | null;
  updatedAt: string;
  startedAt: string;
  jobIds: number[];
  cancelRequested: boolean;
}

export interface StepRecord {
  readonly name: string;
  readonly number: number;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: Conclusion | null;
  startedAt: string | null;
  completedAt: string | null;
}

export interface JobRecord {
  readonly id: number;
  readonly runId: number;
  /** The job's id in the workflow file (`ports`, `list`, `build`). */
  readonly jobKey: string;
  /** The matrix combination and strategy of a matrix job (`{}` otherwise). */
  readonly matrix: Readonly<Record<string, unknown>>;
  readonly strategy: Readonly<Record<string, unknown>>;
  /** The job's `outputs:` as its runner reported them on completion. */
  outputs: Readonly<Record<string, string>>;
  readonly name: string;
  readonly labels: readonly string[];
  readonly createdAt: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: Conclusion | null;
  startedAt: string;
  completedAt: string | null;
  runnerId: number | null;
  runnerName: string | null;
  steps: StepRecord[];
}

export interface RunnerLabel {
  readonly id: number;
  readonly name: string;
  readonly type: 'read-only' | 'custom';
}

export interface RunnerRecord {
  readonly id: number;
  readonly name: string;
  readonly labels: readonly RunnerLabel[];
  readonly jitSecret: string;
  os: string;
  status: 'online' | 'offline';
  busy: boolean;
  /** A JIT config is good for one connection; a second `run.sh --jitconfig` with it is refused. */
  connected: boolean;
  jobId: number | null;
  /** An organisation runner's runner group (runner-groups.ts); absent for a repository runner. */
  readonly groupId?: number;
}

export interface CheckRunRecord {
  readonly id: number;
  /** Who created it: portfarm (the App's port checks) or GitHub Actions (one check per job, id = job id). */
  readonly app: 'portfarm' | 'github-actions';
  readonly name: string;
  readonly headSha: string;
  status: 'queued' | 'in_progress' | 'completed' | 'waiting' | 'requested' | 'pending';
  conclusion: string | null;
  startedAt: string | null;
  completedAt: string | null;
  detailsUrl: string | null;
  externalId: string;
  output: { title: string | null; summary: string | null; text: string | null };
}

export interface DeliveryRecord {
  readonly id: number;
  readonly guid: string;
  readonly event: string;
  readonly action: string | null;
  readonly body: string;
  readonly redelivery: boolean;
  deliveredAt: string;
  statusCode: number;
  status: string;
  durationSeconds: number;
}

/** One REST request the double answered (for counting API calls per build). */
export interface RequestRecord {
  readonly method: string;
  readonly path: string;
  readonly operation: string | null;
  readonly status: number;
}
