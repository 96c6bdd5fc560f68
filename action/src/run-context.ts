/** What the action knows about the run it is part of (from GITHUB_* via @actions/github in main.ts). */
export interface RunContext {
  /** `workflow_dispatch` for runs the controller started, `pull_request` for PR builds. */
  readonly eventName: string;
  readonly serverUrl: string;
  readonly repository: string;
  readonly runId: number;
}
