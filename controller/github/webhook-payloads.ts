import { z } from 'zod';

/**
 * The parts of each webhook payload portfarm reads, validated at the boundary (GitHub's full
 * schemas are checked by the double in tests; here only what the controller depends on).
 */
const repository = z.object({ full_name: z.string(), default_branch: z.string().optional() });
/** The repository of a run or job event: its id is what a fork or a renamed repository cannot fake. */
const eventRepository = z.object({ id: z.int(), full_name: z.string() });
const user = z.object({ login: z.string() }).nullable().optional();

export const pushPayloadSchema = z.object({
  ref: z.string(),
  before: z.string(),
  after: z.string(),
  deleted: z.boolean().optional(),
  repository,
  commits: z.array(z.object({ added: z.array(z.string()).default([]), removed: z.array(z.string()).default([]), modified: z.array(z.string()).default([]) })).default([]),
});

export const pullRequestPayloadSchema = z.object({
  action: z.string(),
  number: z.int(),
  repository,
  pull_request: z.object({ head: z.object({ sha: z.string() }), base: z.object({ sha: z.string(), ref: z.string() }) }),
});

export const workflowRunPayloadSchema = z.object({
  action: z.string(),
  repository: eventRepository,
  workflow_run: z.object({
    id: z.int(),
    run_attempt: z.int(),
    display_title: z.string(),
    head_sha: z.string(),
    head_branch: z.string().nullable(),
    path: z.string(),
    event: z.string(),
    actor: user,
    triggering_actor: user,
    status: z.string().nullable(),
    conclusion: z.string().nullable(),
    updated_at: z.string(),
  }),
});

export const workflowJobPayloadSchema = z.object({
  action: z.string(),
  repository: eventRepository,
  workflow_job: z.object({
    id: z.int(),
    run_id: z.int(),
    run_attempt: z.int().nullable().optional(),
    workflow_name: z.string().nullable(),
    head_branch: z.string().nullable(),
    labels: z.array(z.string()),
    runner_id: z.int().nullable(),
    runner_name: z.string().nullable(),
    conclusion: z.string().nullable(),
    started_at: z.string(),
    completed_at: z.string().nullable(),
    steps: z.array(z.object({ name: z.string(), number: z.int(), conclusion: z.string().nullable() })).default([]),
  }),
});
