/**
 * The REST operations of api.github.com that portfarm uses (and the double serves), by
 * operationId, and the webhook events the double sends. `cut-openapi.ts` cuts GitHub's
 * published documents down to exactly these, so the double loads them in milliseconds.
 */
export const USED_OPERATIONS = [
  'apps/get-authenticated',
  'apps/get-repo-installation',
  'apps/create-installation-access-token',
  'apps/list-webhook-deliveries',
  'apps/get-webhook-delivery',
  'apps/redeliver-webhook-delivery',
  'actions/create-workflow-dispatch',
  'actions/list-workflow-runs',
  'actions/list-workflow-runs-for-repo',
  'actions/get-workflow-run',
  'actions/cancel-workflow-run',
  'actions/force-cancel-workflow-run',
  'actions/list-jobs-for-workflow-run',
  'actions/get-job-for-workflow-run',
  'actions/download-job-logs-for-workflow-run',
  'actions/generate-runner-jitconfig-for-repo',
  'actions/list-self-hosted-runners-for-repo',
  'actions/get-self-hosted-runner-for-repo',
  'actions/delete-self-hosted-runner-from-repo',
  // Organisation runners in a runner group restricted to ports.yml (github.runners.scope: organization).
  'actions/generate-runner-jitconfig-for-org',
  'actions/list-self-hosted-runners-for-org',
  'actions/delete-self-hosted-runner-from-org',
  'actions/get-self-hosted-runner-group-for-org',
  'actions/list-repo-access-to-self-hosted-runner-group-in-org',
  'checks/create',
  'checks/update',
  'checks/get',
  'checks/list-for-ref',
  'repos/get',
  'repos/get-collaborator-permission-level',
  'repos/compare-commits',
] as const;

export type OperationId = (typeof USED_OPERATIONS)[number];

/** Webhook schemas (keys of `webhooks` in @octokit/openapi-webhooks) the double sends. */
export const USED_WEBHOOKS = [
  'push',
  'pull-request-opened',
  'pull-request-synchronize',
  'workflow-run-requested',
  'workflow-run-in-progress',
  'workflow-run-completed',
  'workflow-job-queued',
  'workflow-job-in-progress',
  'workflow-job-completed',
  'check-run-created',
  'check-run-completed',
] as const;

export type WebhookSchemaName = (typeof USED_WEBHOOKS)[number];
