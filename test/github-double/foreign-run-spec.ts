import type { RunEvent } from './double-records.ts';

/**
 * A run the farm did not start, as anyone who can open a pull request (or push a workflow of
 * their own, or be a maintainer clicking "Run workflow") can make GitHub start one: any
 * workflow file, any trigger, any branch, any run name and any runner labels. The double sends
 * its `workflow_run` and `workflow_job` webhooks with the fields GitHub sets (repository,
 * `path`, `event`, `head_branch`, actors, `run_attempt`), which are what tells it apart.
 */
export interface ForeignRunSpec {
  /** The workflow file (`.github/workflows/<file>`): ports.yml as a PR edited it, ci.yml, … */
  readonly workflowFile: string;
  /** The workflow's `name:` (default the file name). */
  readonly workflowName?: string;
  /** The run name (`run-name:`), crafted as the author likes: `[w-3] watcher on 15_arm64`. */
  readonly runName: string;
  readonly event: RunEvent;
  /** The branch the run is on (a PR's head branch for `pull_request`). */
  readonly headBranch: string;
  /** The commit; default the default branch's head for a dispatch or push, else a new commit (not on the default branch). */
  readonly headSha?: string;
  /** The login that started it. */
  readonly actor: string;
  /**
   * A dispatch's inputs, for a workflow file the double models (ports.yml): its jobs are then
   * the workflow's own, as for the App's dispatches (a maintainer's "Run workflow").
   */
  readonly inputs?: Readonly<Record<string, string>>;
  /** Another repository the App is installed in (id and `owner/name`); default the double's own. */
  readonly repository?: { readonly id: number; readonly fullName: string };
  /**
   * The jobs the run queues, with their `runs-on` labels (a runner whose labels match may take
   * them, as on GitHub); `${{ github.run_id }}` and `${{ github.run_attempt }}` in a label are the run's.
   */
  readonly jobs?: readonly { readonly name: string; readonly labels: readonly string[] }[];
}

/** A user's permission on the double's repository, as the collaborator-permission endpoint reports it. */
export type DoublePermission = 'admin' | 'maintain' | 'write' | 'triage' | 'read';
