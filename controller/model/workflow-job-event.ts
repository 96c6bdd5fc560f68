import { z } from 'zod';

/**
 * The part of a `workflow_job` webhook the runner manager acts on. Shared by the GitHub face
 * (which lists queued jobs) and the runners, so it lives in the model: `github/` never imports `runners/`.
 */
export interface WorkflowJobEvent {
  readonly action: 'queued' | 'waiting' | 'in_progress' | 'completed';
  readonly jobId: number;
  readonly runId: number;
  /** Which attempt of the run (a re-run is attempt 2, …); null when the sender did not say. */
  readonly runAttempt: number | null;
  readonly labels: readonly string[];
  readonly runnerId: number | null;
  readonly runnerName: string | null;
  readonly conclusion: string | null;
  /**
   * The trust boundary (the job gate) refused this job and counted it; it reaches the runner
   * manager only because one of portfarm's runners ran it, so that VM can go. The manager acts
   * on it but does not count it again.
   */
  readonly refusedAtBoundary?: boolean;
}

const payloadSchema = z.object({
  action: z.enum(['queued', 'waiting', 'in_progress', 'completed']),
  workflow_job: z.object({
    id: z.int(),
    run_id: z.int(),
    run_attempt: z.int().nullable().optional(),
    labels: z.array(z.string()),
    runner_id: z.int().nullable().optional(),
    runner_name: z.string().nullable().optional(),
    conclusion: z.string().nullable().optional(),
  }),
});

/** Validates a `workflow_job` webhook body at the boundary; throws a message naming the bad field. */
export function parseWorkflowJobEvent(payload: unknown): WorkflowJobEvent {
  const parsed = payloadSchema.safeParse(payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`not a workflow_job payload: ${issue === undefined ? 'invalid' : `${issue.path.join('.')} ${issue.message}`}`);
  }
  const job = parsed.data.workflow_job;
  return {
    action: parsed.data.action,
    jobId: job.id,
    runId: job.run_id,
    runAttempt: job.run_attempt ?? null,
    labels: job.labels,
    runnerId: job.runner_id ?? null,
    runnerName: job.runner_name ?? null,
    conclusion: job.conclusion ?? null,
  };
}
