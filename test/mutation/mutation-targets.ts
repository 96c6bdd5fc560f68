/**
 * What `npm run test:mutation` mutates: the code where a one-character slip loses builds,
 * builds twice, or lets a stranger hand over a port list. `functions` narrows a large file to
 * the named functions and methods (the rest of it is covered by its own suites).
 */
export interface MutationTarget {
  /** Repository-relative source file. */
  readonly file: string;
  readonly functions?: readonly string[];
  /**
   * Test files that cover it from further than `--max-distance` imports, run besides the near
   * ones: the tests that assert its behaviour through the whole controller.
   */
  readonly tests?: readonly string[];
}

const QUEUE_CORE = [
  'clone-queue',
  'count-pending',
  'describe-queue',
  'enqueue-builders',
  'enqueue-watcher',
  'entry-heap',
  'heap-in-order',
  'mark-dispatching',
  'mark-run',
  'newest-revision',
  'pending-entry',
  'platform-queue',
  'preempt-builder',
  'queue-context',
  'queue-policy',
  'requeue-lost',
  'select-next',
].map((name) => ({ file: `controller/queue/core/${name}.ts` }));

const HANDOFF_ATTACKS = [
  'test/security/handoff-dispatch-binding.test.ts',
  'test/security/handoff-jwks-outage.test.ts',
  'test/security/handoff-port-names.test.ts',
  'test/security/handoff-push-port-names.test.ts',
  'test/security/handoff-token-binding.test.ts',
  'test/security/http-port-list.test.ts',
];

const HANDOFF = [
  'accept-watcher-list',
  'create-port-list-handler',
  'handoff-refusal',
  'handoff-settings',
  'handoff-settings-from-config',
  'issuer-keys',
  'port-list-route',
  'verify-port-list-request',
].map((name) => ({
  file: `controller/handoff/${name}.ts`,
  // The attack tests hand lists over through the whole controller (HTTP, the dispatch binding,
  // the rejection counter): more than two imports away from every hand-off file.
  tests: HANDOFF_ATTACKS,
}));

// The runner manager's suites drive it through the runner farm (test/runners/runner-farm.ts →
// runner-manager.ts → the handler): three imports from the job matching and the teardown, one
// more than the walk goes, so the tests that assert a foreign job's VM is destroyed, a lease's
// teardown and adoption would otherwise never run against their mutants.
const RUNNER_MANAGER_SUITES = [
  'test/runners/runner-manager.test.ts',
  'test/runners/runner-teardown.test.ts',
  'test/runners/runner-reconcile.test.ts',
  'test/security/runner-taken-through-gate.test.ts',
  // Foreign jobs on the build's runner: its VM destroyed and never collected from (the teardown's guard).
  'test/security/runner-job-identity.test.ts',
  // A warm VM claimed by its job's `queued`, and the queued → in-progress figure.
  'test/runners/runner-warm-status.test.ts',
  'test/runners/watchdog-deadlines.test.ts',
];

// The reader's contract (ports.macports.org's importer asking `…/steps/install-port/logs/files/text`
// by its literal URL) is what holds the files log's step and log names; the tests the walk finds
// name them through FILES_LOG itself, so an emptied name passes there (found by hand, 22:30).
/** What asserts a dispatch's outcomes through the reorder service, beyond dispatch-one.ts's import walk. */
const DISPATCH_SUITES = [
  'test/queue/reorder-service.test.ts',
  'test/queue/pump-side-by-side.test.ts',
  'test/queue/dispatch-refused.test.ts',
  'test/queue/service-lanes.test.ts',
  'test/queue/crash-during-preemption.test.ts',
  'test/queue/dispatch-crash.test.ts',
  'test/queue/queue-write-failure.test.ts',
  'test/github/dispatch-rate-limited.test.ts',
];

const READER_CONTRACT = ['test/site/reader-contract.test.ts'];

const SITE_LOOKUP = [
  'archived-step-log', 'build-json', 'describe-pending', 'expand-build', 'id-runs', 'own-entry', 'parse-legacy-path', 'platform-of', 'port-bucket', 'resolve-legacy-url', 'site-map',
  'stable-log-url', 'suggest-builders', 'unpack-shard',
].map(
  (name) => ({ file: `site/lookup/${name}.ts`, ...(name === 'archived-step-log' ? { tests: READER_CONTRACT } : {}) }),
);

export const MUTATION_TARGETS: readonly MutationTarget[] = [
  ...QUEUE_CORE,
  { file: 'controller/queue/reorder-service.ts' },
  // A round's dispatches: the intent first, what a refusal, a rate limit or a lost answer leaves, and the requeue of a run never made.
  { file: 'controller/queue/dispatch-one.ts', tests: DISPATCH_SUITES },
  { file: 'controller/queue/dispatch-platform.ts' },
  { file: 'controller/queue/requeue-unsent.ts' },
  ...HANDOFF,
  { file: 'controller/github/create-webhook-handler.ts' },
  { file: 'controller/github/translate-webhook.ts' },
  // The runner manager's job matching (which lease an event is for, whose job it is) and teardown (VM destroyed, registration gone).
  { file: 'controller/runners/workflow-job-handler.ts', tests: RUNNER_MANAGER_SUITES },
  { file: 'controller/runners/job-identity.ts', tests: RUNNER_MANAGER_SUITES },
  { file: 'controller/runners/lease-teardown.ts', tests: RUNNER_MANAGER_SUITES },
  // Which PR run may take a freed PR slot, and whether a runner group really restricts the farm's runners to ports.yml.
  // The slot table's suites reach them through the runner manager or the check that calls them, beyond the walk.
  { file: 'controller/runners/pr-slot-fairness.ts', tests: ['test/runners/pr-fair-share.test.ts', 'test/security/runner-group-pr-job.test.ts'] },
  { file: 'controller/github/verify-runner-group.ts', tests: ['test/security/runner-group-pr-job.test.ts', 'test/github-double/runner-groups.test.ts', 'test/runners/runner-group-choice.test.ts'] },
  ...SITE_LOOKUP,
  { file: 'action/src/action-inputs.ts' },
];
