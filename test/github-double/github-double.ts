/**
 * The GitHub double: a real `node:http` server serving the part of the GitHub REST API
 * portfarm uses, stateful like GitHub, with every request and response checked against
 * GitHub's published OpenAPI document (cut to those operations) and every webhook payload
 * against @octokit/openapi-webhooks. Real octokit clients talk to it through `baseUrl`.
 *
 *   const double = await startGitHubDouble({ port: 0, webhookUrl: 'http://127.0.0.1:8080/webhooks', webhookSecret: 's' });
 *   const octokit = new Octokit({ baseUrl: double.url, authStrategy: createAppAuth,
 *     auth: { appId: double.appId, privateKey: double.appPrivateKey, installationId: double.installationId } });
 *   …
 *   double.assertNoViolations(); await double.close();
 *
 * What it keeps: workflow runs and jobs (concurrency groups: one running + one pending per
 * group, a newer pending run cancels the older pending one), self-hosted JIT runners (a job
 * goes only to an online idle runner whose labels contain all of its `runs-on`, and whose runner
 * group admits it: runner-groups.ts), check runs,
 * installation tokens for an App JWT, and the App's webhook deliveries (list, redeliver).
 * Fault switches: drop/delay/duplicate webhook deliveries, 500/502/403+retry-after answers,
 * cancels that do not take. Runners are played by `startRunnerStandIn` (runner-stand-in.ts),
 * which speaks the double's private runner protocol under `/_runner/` (GitHub's own runner
 * protocol is not public, so it is not part of the OpenAPI check).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhooks } from '@octokit/webhooks';
import { createAppKeyPair, explainBadAppJwt } from './app-credentials.ts';
import { matrixTooLarge, outputsTooLarge } from './actions-limits.ts';
import { CheckSuiteLimits, type CheckSuiteLimitValues } from './check-suite-limits.ts';
import type { CheckRunRecord, Conclusion, DeliveryRecord, JobRecord, RequestRecord, RunRecord, RunnerRecord } from './double-records.ts';
import type { DoublePermission, ForeignRunSpec } from './foreign-run-spec.ts';
import { GitHubObjects, type PullRequestSpec, type PushSpec } from './github-objects.ts';
import { portsWorkflow, type WorkflowModel } from './ports-workflow.ts';
import { DoubleRunnerGroups, workflowRefOf, type OrganizationSpec } from './runner-groups.ts';
import { RATE_DOCS, RateLimits, type RateLimitOptions } from './rate-limits.ts';
import type { JobInstance, NeedResult, PullRequestWorkflow } from './pull-request-workflow.ts';
import { createSchemaValidator, type SchemaValidator, type SchemaViolation } from './schema-validator.ts';
import type { OperationId, WebhookSchemaName } from './used-operations.ts';

export type WebhookFaultMode = 'deliver' | 'drop' | 'delay' | 'duplicate';

export interface GitHubDoubleOptions {
  /** TCP port on 127.0.0.1; 0 picks a free one. */
  readonly port?: number;
  /** Where webhook deliveries are POSTed (the controller's `/webhooks`); none are sent when absent. */
  readonly webhookUrl?: string;
  readonly webhookSecret?: string;
  readonly appId?: number;
  /** The App's public key (SPKI PEM); when absent the double makes a key pair and exposes the private key. */
  readonly appPublicKey?: string;
  /** `owner/name` of the ports repository. */
  readonly repo?: string;
  readonly defaultBranch?: string;
  /** Workflow files the repository has, by file name; default `{ 'ports.yml': portsWorkflow }`. */
  readonly workflows?: Readonly<Record<string, WorkflowModel>>;
  /**
   * Workflows a pull request starts (`on: pull_request`), read from their files with
   * `loadPullRequestWorkflow` (ports-pr.yml); none by default, so a PR only sends its webhook.
   */
  readonly pullRequestWorkflows?: Readonly<Record<string, PullRequestWorkflow>>;
  /** The clock for every timestamp the double writes (default: the real one). */
  readonly now?: () => Date;
  /** Check runs per suite and per name in a suite (default GitHub's 50,000 and 1,000; check-suite-limits.ts). */
  readonly checkSuiteLimits?: CheckSuiteLimitValues;
  /** A shared validator (loading one takes ~50 ms; share it across doubles in one test file). */
  readonly schema?: SchemaValidator;
  /**
   * Collaborators and their permission (`GET …/collaborators/{login}/permission`); any other
   * login has `read`, as on a public repository.
   */
  readonly collaborators?: Readonly<Record<string, DoublePermission>>;
  /** The repository's owner as an organisation with runner groups (runner-groups.ts); absent: org runner endpoints answer 404. */
  readonly organization?: OrganizationSpec;
  /** GitHub's rate limits and queue limits (rate-limits.ts); absent, the double answers without limit. */
  readonly rateLimits?: RateLimitOptions;
}

export interface HttpFault {
  readonly status: 500 | 502 | 403 | 429;
  /** How many matching requests get this answer. */
  readonly times: number;
  /** Only requests to this operation (default: any). */
  readonly operation?: OperationId;
  /** Sent as `retry-after` (403/429: a secondary rate limit). */
  readonly retryAfterSeconds?: number;
}

/** What the runner stand-in is given when its long poll returns a job. */
export interface RunnerJobMessage {
  readonly jobId: number;
  readonly runId: number;
  readonly jobName: string;
  readonly runName: string;
  /** The workflow file and the job's id in it (`ports.yml`/`ports`, `ports-pr.yml`/`build`). */
  readonly workflowFile: string;
  readonly jobKey: string;
  readonly inputs: Readonly<Record<string, string>>;
  /** What the job's expressions read besides `inputs`: `github` (with the PR event), `vars`, `matrix`, `strategy`, `needs`. */
  readonly context: Readonly<Record<string, unknown>>;
  readonly steps: readonly { readonly number: number; readonly name: string; readonly skip: boolean }[];
}

export interface GitHubDouble {
  /** Base URL for octokit's `baseUrl` (no trailing slash). */
  readonly url: string;
  readonly appId: number;
  /** The App private key (PKCS#1 PEM) when the double made the key pair; null when `appPublicKey` was given. */
  readonly appPrivateKey: string | null;
  readonly installationId: number;
  readonly owner: string;
  readonly repo: string;
  readonly schema: SchemaValidator;
  /** Everything the schemas rejected, in order; a test fails if this is not empty. */
  readonly violations: readonly SchemaViolation[];
  /** Every REST request answered (not the runner protocol), for counting API calls. */
  readonly requests: readonly RequestRecord[];
  readonly runs: () => readonly RunRecord[];
  readonly jobs: () => readonly JobRecord[];
  readonly runners: () => readonly RunnerRecord[];
  readonly checkRuns: () => readonly CheckRunRecord[];
  readonly deliveries: () => readonly DeliveryRecord[];
  /** Calls `listener` synchronously after every change to runs and jobs (a dispatch, a job starting or ending); returns its removal. */
  onChange(listener: () => void): () => void;
  /** The limits enforced (`rateLimits` option) and their refusal counts; null without them. */
  readonly rateLimits: RateLimits | null;
  /** Sends a `push` webhook (as GitHub does after a push). */
  push(spec: PushSpec): string;
  /**
   * Sends a `pull_request` webhook (opened or synchronize) and, as GitHub does, starts each
   * `pullRequestWorkflows` entry whose `paths` filter matches `spec.changedPaths`.
   */
  pullRequest(spec: PullRequestSpec): string;
  /**
   * Starts a run the farm did not dispatch (another workflow, trigger, branch or repository, any
   * run name and labels) and sends its `workflow_run requested` and jobs' `queued` webhooks.
   */
  startRun(spec: ForeignRunSpec): RunRecord;
  /** Ends a run started by `startRun`: its unfinished jobs and then the run complete with `conclusion`. */
  completeRun(runId: number, conclusion: Conclusion): void;
  /** The default branch's commits, oldest first (pushes to it add theirs; a dispatch runs at the last). */
  defaultBranchCommits(): readonly string[];
  /** Webhook fault switch: every later delivery of `events` (default all) is dropped, held or sent twice. */
  setWebhookFault(mode: WebhookFaultMode, events?: readonly string[]): void;
  /** Sends the deliveries held by the `delay` fault, in order. */
  releaseDelayedDeliveries(): void;
  /** The next `times` matching requests are answered with `status`. */
  failRequests(fault: HttpFault): void;
  /** While true, `cancel` answers 202 but the run goes on (force-cancel still works). */
  setIgnoreCancel(ignore: boolean): void;
  /** Resolves when every delivery sent so far has been answered (or dropped). */
  deliveriesSettled(): Promise<void>;
  /** How many faults the switches injected so far: deliveries dropped, held, sent twice; requests answered by status. */
  faultsInjected(): { readonly dropped: number; readonly delayed: number; readonly duplicated: number; readonly requests: Readonly<Record<string, number>> };
  /** Resolves with the first run `predicate` holds for, now or after a later change. */
  waitForRun(predicate: (run: RunRecord) => boolean, signal?: AbortSignal): Promise<RunRecord>;
  /** Throws an Error listing every schema violation, if there is one. */
  assertNoViolations(): void;
  close(): Promise<void>;
}

interface Routed {
  readonly operation: OperationId;
  readonly params: Record<string, string>;
}

class HttpAnswer {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Readonly<Record<string, string>>;
  /** Generic answers (auth, faults) GitHub gives for any operation, so not checked against one. */
  readonly generic: boolean;
  constructor(status: number, body: unknown, options: { headers?: Record<string, string>; generic?: boolean } = {}) {
    this.status = status;
    this.body = body;
    this.headers = options.headers ?? {};
    this.generic = options.generic ?? false;
  }
}

const DOCS = 'https://docs.github.com/rest';

function error(status: number, message: string): HttpAnswer {
  // GitHub answers 404 to any operation on something missing or hidden from the caller, and 403 to one the App has no permission for, documented or not.
  return new HttpAnswer(status, { message, documentation_url: DOCS, status: String(status) }, { generic: status === 404 || status === 403 });
}

function compileRoute(path: string): { regex: RegExp; names: string[] } {
  const names: string[] = [];
  // Literal parts are escaped: `compare/{base}...{head}` has dots that are dots.
  const source = path.split(/(\{[^}]+\})/).map((part) => {
    const param = /^\{([^}]+)\}$/.exec(part)?.[1];
    if (param === undefined) return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
    names.push(param);
    return '([^/]+?)';
  }).join('');
  return { regex: new RegExp(`^${source}$`), names };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function labelMatch(runner: RunnerRecord, wanted: readonly string[]): boolean {
  const have = new Set(runner.labels.map((l) => l.name.toLowerCase()));
  return wanted.every((l) => have.has(l.toLowerCase()));
}

function paginate<T>(items: readonly T[], query: URLSearchParams): T[] {
  const perPage = Math.min(Number(query.get('per_page') ?? '30'), 100);
  const page = Math.max(Number(query.get('page') ?? '1'), 1);
  return items.slice((page - 1) * perPage, page * perPage);
}

function matchesCreated(createdAt: string, filter: string | null): boolean {
  if (filter === null) return true;
  const t = Date.parse(createdAt);
  const range = /^(.+)\.\.(.+)$/.exec(filter);
  if (range?.[1] !== undefined && range[2] !== undefined) {
    return (range[1] === '*' || t >= Date.parse(range[1])) && (range[2] === '*' || t <= Date.parse(range[2]));
  }
  const cmp = /^(>=|<=|>|<)?(.+)$/.exec(filter);
  const bound = Date.parse(cmp?.[2] ?? filter);
  switch (cmp?.[1]) {
    case '>=':
      return t >= bound;
    case '>':
      return t > bound;
    case '<=':
      return t <= bound;
    case '<':
      return t < bound;
    default:
      return new Date(t).toISOString().slice(0, 10) === new Date(bound).toISOString().slice(0, 10);
  }
}

/** Starts the double; resolves once it listens. */
export async function startGitHubDouble(options: GitHubDoubleOptions = {}): Promise<GitHubDouble> {
  const schema = options.schema ?? createSchemaValidator();
  const now = options.now ?? (() => new Date());
  const iso = (): string => now().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const appId = options.appId ?? 4242;
  const keyPair = options.appPublicKey === undefined ? createAppKeyPair() : null;
  const publicKey = options.appPublicKey ?? keyPair?.publicKeyPem ?? '';
  const [owner = 'macports', repoName = 'macports-ports'] = (options.repo ?? 'macports/macports-ports').split('/');
  const defaultBranch = options.defaultBranch ?? 'master';
  const workflows = options.workflows ?? { 'ports.yml': portsWorkflow };
  const installationId = 77;
  const appBot = 'portfarm[bot]';
  const collaborators = options.collaborators ?? {};
  /** The default branch's history, oldest first; other commits the double has seen (PR heads, other branches). */
  const branchCommits: string[] = [randomBytes(20).toString('hex')];
  const otherCommits = new Set<string>();
  const webhooks = new Webhooks({ secret: options.webhookSecret ?? 'double-secret' });

  const routes = Object.entries(schema.operations)
    .map(([id, op]) => ({ id: id as OperationId, method: op.method, ...compileRoute(op.path), literal: op.path.replace(/\{[^}]+\}/g, '').length }))
    .sort((a, b) => b.literal - a.literal);

  const violations: SchemaViolation[] = [];
  const requests: RequestRecord[] = [];
  const runs = new Map<number, RunRecord>();
  const jobs = new Map<number, JobRecord>();
  const runners = new Map<number, RunnerRecord>();
  const checkRuns = new Map<number, CheckRunRecord>();
  const suiteLimits = new CheckSuiteLimits(options.checkSuiteLimits);
  const deliveries: DeliveryRecord[] = [];
  const tokens = new Map<string, number>();
  const httpFaults: { fault: HttpFault; left: number }[] = [];
  const changeListeners = new Set<() => void>();
  const jobWaiters = new Map<number, (message: RunnerJobMessage | null) => void>();
  /** Signed log download URLs handed out by `download-job-logs-for-workflow-run`. */
  const logDownloads = new Map<string, { readonly jobId: number; readonly expires: number }>();
  const prWorkflows = options.pullRequestWorkflows ?? {};
  /** Per pull_request run: the jobs planned so far and the results `needs` gives later jobs. */
  const prRuns = new Map<number, { model: PullRequestWorkflow; planned: Map<string, { instances: readonly JobInstance[]; maxParallel: number; jobIds: number[] }>; results: Map<string, NeedResult> }>();
  const jobContexts = new Map<number, Readonly<Record<string, unknown>>>();
  let webhookFault: { mode: WebhookFaultMode; events: readonly string[] | null } = { mode: 'deliver', events: null };
  let delayed: DeliveryRecord[] = [];
  const injected = { dropped: 0, delayed: 0, duplicated: 0, requests: {} as Record<string, number> };
  let ignoreCancel = false;
  let nextId = 1000;
  let runNumber = 0;
  let closed = false;
  const inflight = new Set<Promise<void>>();
  let deliveryChain: Promise<void> = Promise.resolve();
  const id = (): number => ++nextId;
  const limits = options.rateLimits === undefined ? null : new RateLimits(options.rateLimits);
  const budgetOf = (operation: string | undefined): string => (operation?.startsWith('apps/') === true ? `app:${appId}` : `installation:${installationId}`);

  let url = '';
  const orgGroups = new DoubleRunnerGroups(options.organization, {
    apiUrl: () => url,
    repository: (repoId) => {
      const example = (schema.example('minimal-repository-paginated') as { repositories: Record<string, unknown>[] }).repositories[0] ?? {};
      const name = repoId === objects().repo.id ? repoName : `repo-${repoId}`;
      return { ...example, id: repoId, name, full_name: `${owner}/${name}` };
    },
  });
  const objects = (): GitHubObjects => objectsRef.value;
  const objectsRef: { value: GitHubObjects } = { value: undefined as unknown as GitHubObjects };

  const changed = (): void => {
    for (const listener of [...changeListeners]) listener();
  };

  // ── webhook deliveries ─────────────────────────────────────────────────────────────
  const send = (event: string, rendered: { name: WebhookSchemaName; payload: Record<string, unknown> }): string => {
    const problems = schema.checkWebhook(rendered.name, rendered.payload);
    if (problems.length > 0) violations.push({ where: 'webhook', operation: rendered.name, problems });
    const action = typeof rendered.payload.action === 'string' ? rendered.payload.action : null;
    const record: DeliveryRecord = {
      id: id(),
      guid: randomUUID(),
      event,
      action,
      body: JSON.stringify(rendered.payload),
      redelivery: false,
      deliveredAt: iso(),
      statusCode: 0,
      status: 'pending',
      durationSeconds: 0,
    };
    deliveries.push(record);
    dispatchDelivery(record);
    return record.guid;
  };

  const dispatchDelivery = (record: DeliveryRecord): void => {
    const faulted = webhookFault.events === null || webhookFault.events.includes(record.event) ? webhookFault.mode : 'deliver';
    if (options.webhookUrl === undefined) {
      Object.assign(record, { statusCode: 0, status: 'No webhook URL configured' });
      return;
    }
    if (faulted === 'drop') {
      injected.dropped += 1;
      // What a controller that was down looks like from GitHub's side.
      Object.assign(record, { statusCode: 502, status: 'Invalid HTTP Response: 502' });
      return;
    }
    if (faulted === 'delay') {
      injected.delayed += 1;
      Object.assign(record, { status: 'delayed' });
      delayed.push(record);
      return;
    }
    post(record);
    if (faulted === 'duplicate') {
      injected.duplicated += 1;
      post(record);
    }
  };

  const post = (record: DeliveryRecord): void => {
    const target = options.webhookUrl;
    if (target === undefined) return;
    const attempt = deliveryChain.then(async () => {
      if (closed) return;
      const started = performance.now();
      try {
        const signature = await webhooks.sign(record.body);
        const response = await fetch(target, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': 'GitHub-Hookshot/double',
            'x-github-event': record.event,
            'x-github-delivery': record.guid,
            'x-github-hook-id': '1',
            'x-github-hook-installation-target-id': String(appId),
            'x-github-hook-installation-target-type': 'integration',
            'x-hub-signature-256': signature,
          },
          body: record.body,
        });
        await response.arrayBuffer();
        Object.assign(record, {
          statusCode: response.status,
          status: response.ok ? 'OK' : `Invalid HTTP Response: ${response.status}`,
          durationSeconds: (performance.now() - started) / 1000,
        });
      } catch (err) {
        Object.assign(record, { statusCode: 0, status: `failed to connect: ${err instanceof Error ? err.message : String(err)}` });
      }
    });
    deliveryChain = attempt;
    inflight.add(attempt);
    void attempt.finally(() => inflight.delete(attempt));
  };

  // ── workflow runs, jobs, runners ───────────────────────────────────────────────────
  const runOf = (job: JobRecord): RunRecord => {
    const run = runs.get(job.runId);
    if (run === undefined) throw new Error(`job ${job.id} has no run`);
    return run;
  };

  /** GitHub Actions' own check run for a job (id = job id), on the run's head commit: what the PR page lists per job. */
  const jobCheck = (job: JobRecord, run: RunRecord): void => {
    const existing = checkRuns.get(job.id);
    const check: CheckRunRecord = existing ?? {
      id: job.id,
      app: 'github-actions',
      name: job.name,
      headSha: run.headSha,
      status: 'queued',
      conclusion: null,
      startedAt: job.createdAt,
      completedAt: null,
      detailsUrl: `https://github.com/${owner}/${repoName}/actions/runs/${run.id}/job/${job.id}`,
      externalId: randomUUID(),
      output: { title: null, summary: null, text: null },
    };
    const wasCompleted = existing?.status === 'completed';
    checkRuns.set(check.id, check);
    check.status = job.status;
    if (job.status === 'in_progress') check.startedAt = job.startedAt;
    if (job.status === 'completed') {
      check.conclusion = job.conclusion;
      check.completedAt = job.completedAt;
    }
    if (existing === undefined) send('check_run', objects().checkRunPayload('created', check));
    if (check.status === 'completed' && !wasCompleted) send('check_run', objects().checkRunPayload('completed', check));
  };

  /** `refused`: GitHub fails the job without running it (a matrix past its limit, actions-limits.ts). */
  const createJob = (run: RunRecord, spec: { jobKey: string; name: string; labels: readonly string[]; steps: readonly { name: string; skip: boolean }[]; skipped: boolean; refused?: boolean; matrix: Readonly<Record<string, unknown>>; strategy: Readonly<Record<string, unknown>>; context: Readonly<Record<string, unknown>> }): JobRecord => {
    const skipped = spec.skipped || spec.refused === true;
    const job: JobRecord = {
      id: id(),
      runId: run.id,
      jobKey: spec.jobKey,
      matrix: spec.matrix,
      strategy: spec.strategy,
      outputs: {},
      name: spec.name,
      labels: [...spec.labels],
      createdAt: iso(),
      status: skipped ? 'completed' : 'queued',
      conclusion: skipped ? (spec.refused === true ? 'failure' : 'skipped') : null,
      startedAt: iso(),
      completedAt: skipped ? iso() : null,
      runnerId: null,
      runnerName: null,
      steps: spec.steps.map((step, i) => ({
        name: step.name,
        number: i + 1,
        status: skipped ? 'completed' : 'queued',
        conclusion: skipped || step.skip ? 'skipped' : null,
        startedAt: null,
        completedAt: skipped ? iso() : null,
      })),
    };
    jobs.set(job.id, job);
    if (!skipped) limits?.jobQueued(job.id);
    jobContexts.set(job.id, spec.context);
    run.jobIds.push(job.id);
    send('workflow_job', objects().workflowJobPayload(skipped ? 'completed' : 'queued', job, run));
    jobCheck(job, run);
    return job;
  };

  const activate = (run: RunRecord): void => {
    run.status = 'queued';
    run.updatedAt = iso();
    if (run.event === 'pull_request') {
      planPullRequestJobs(run);
      assignJobs();
      finishRun(run);
      return;
    }
    const model = workflows[run.workflowFile];
    if (model === undefined) return;
    for (const jobModel of model.jobs(run.inputs)) {
      const skipped = jobModel.if !== undefined && !jobModel.if(run.inputs);
      createJob(run, {
        jobKey: jobModel.key,
        name: jobModel.name,
        labels: jobModel.runsOn,
        steps: jobModel.steps.map((step) => ({ name: step.name, skip: step.if !== undefined && !step.if(run.inputs) })),
        skipped,
        matrix: {},
        strategy: {},
        context: {},
      });
    }
    assignJobs();
    // A run whose every job was skipped by its `if:` completes at once and frees its group.
    finishRun(run);
  };

  // ── pull_request runs: jobs planned from the workflow file as their needs finish ───
  /** Queues the next matrix jobs of `jobKey` up to its max-parallel (GitHub creates a held job when it may start). */
  const releaseJobs = (run: RunRecord, jobKey: string): void => {
    const state = prRuns.get(run.id);
    const planned = state?.planned.get(jobKey);
    if (state === undefined || planned === undefined) return;
    const running = planned.jobIds.filter((j) => jobs.get(j)?.status !== 'completed').length;
    let free = planned.maxParallel - running;
    const needs: Record<string, NeedResult> = {};
    for (const need of state.model.needsOf(jobKey)) {
      const result = state.results.get(need);
      if (result !== undefined) needs[need] = result;
    }
    while (free > 0 && !run.cancelRequested && planned.jobIds.length < planned.instances.length) {
      const instance = planned.instances[planned.jobIds.length];
      if (instance === undefined) break;
      const job = createJob(run, {
        jobKey,
        name: instance.name,
        labels: instance.runsOn,
        steps: instance.steps.map((name) => ({ name, skip: false })),
        skipped: false,
        matrix: instance.matrix,
        strategy: instance.strategy,
        context: { ...run.context, matrix: instance.matrix, strategy: instance.strategy, needs },
      });
      planned.jobIds.push(job.id);
      free -= 1;
    }
  };

  /** Plans every job whose needs have all finished; notes the result of every job whose instances all finished. */
  const planPullRequestJobs = (run: RunRecord): void => {
    const state = prRuns.get(run.id);
    if (state === undefined) return;
    for (let progress = true; progress;) {
      progress = false;
      for (const jobKey of state.model.jobKeys) {
        if (state.results.has(jobKey)) continue;
        const planned = state.planned.get(jobKey);
        if (planned !== undefined) {
          releaseJobs(run, jobKey);
          const created = planned.jobIds.map((j) => jobs.get(j)).filter((j) => j !== undefined);
          const all = run.cancelRequested ? created.length : planned.instances.length;
          if (created.length < all || created.some((j) => j.status !== 'completed')) continue;
          const conclusions = created.map((j) => j.conclusion);
          state.results.set(jobKey, {
            result: conclusions.includes('failure') ? 'failure' : conclusions.includes('cancelled') || run.cancelRequested ? 'cancelled' : 'success',
            // A matrix job's outputs are those of the last instance that set them, as on GitHub.
            outputs: Object.assign({}, ...created.map((j) => j.outputs)) as Record<string, string>,
          });
          progress = true;
          continue;
        }
        const needs = state.model.needsOf(jobKey);
        if (!needs.every((n) => state.results.has(n))) continue;
        const results: Record<string, NeedResult> = {};
        for (const need of needs) results[need] = state.results.get(need) ?? { result: 'skipped', outputs: {} };
        const plan = run.cancelRequested ? ({ jobKey, skipped: true, name: jobKey } as const) : state.model.plan(jobKey, run.context, results);
        if (plan.skipped) {
          createJob(run, { jobKey, name: plan.name, labels: [], steps: [], skipped: true, matrix: {}, strategy: {}, context: {} });
          state.results.set(jobKey, { result: 'skipped', outputs: {} });
        } else if (matrixTooLarge(plan.instances.length)) {
          createJob(run, { jobKey, name: jobKey, labels: [], steps: [], skipped: false, refused: true, matrix: {}, strategy: {}, context: {} });
          state.results.set(jobKey, { result: 'failure', outputs: {} });
        } else {
          state.planned.set(jobKey, { instances: plan.instances, maxParallel: plan.maxParallel, jobIds: [] });
        }
        progress = true;
      }
    }
  };

  const startPullRequestRun = (model: PullRequestWorkflow, spec: PullRequestSpec, workflowId: number): RunRecord => {
    const pullRequest = {
      number: spec.number,
      title: spec.title,
      head: { sha: spec.headSha, ref: spec.headRef, repo: { clone_url: spec.cloneUrl ?? `https://github.com/${owner}/${repoName}.git` } },
      base: { sha: spec.baseSha, ref: defaultBranch },
    };
    const runId = id();
    const context = {
      github: { event_name: 'pull_request', event: { action: spec.action, number: spec.number, pull_request: pullRequest }, repository: `${owner}/${repoName}`, server_url: 'https://github.com', run_id: String(runId), run_attempt: '1', sha: spec.headSha, head_ref: spec.headRef, base_ref: defaultBranch },
      vars: {},
    };
    const concurrency = model.concurrency(context);
    const run = enterRun({
      id: runId,
      runNumber: ++runNumber,
      workflowFile: model.file,
      workflowId,
      workflowName: model.name,
      name: model.runName(context),
      inputs: {},
      event: 'pull_request',
      actor: spec.author ?? 'contributor',
      triggeringActor: spec.author ?? 'contributor',
      runAttempt: 1,
      foreignRepository: null,
      context,
      headBranch: spec.headRef,
      headSha: spec.headSha,
      group: concurrency?.group ?? null,
    });
    otherCommits.add(spec.headSha);
    prRuns.set(run.id, { model, planned: new Map(), results: new Map() });
    const inGroup = (): RunRecord[] => othersInGroup(run);
    // One running + one pending per group; cancel-in-progress (a new push to the PR) cancels the running one too.
    for (const older of inGroup()) if (older.status === 'pending' || concurrency?.cancelInProgress === true) cancelRun(older, false);
    if (inGroup().every((r) => r.status === 'pending')) activate(run);
    changed();
    return run;
  };

  const finishRun = (run: RunRecord): void => {
    const runJobs = run.jobIds.map((j) => jobs.get(j)).filter((j) => j !== undefined);
    if (runJobs.some((j) => j.status !== 'completed')) return;
    // A pull_request run goes on while jobs remain to be planned (a `needs` job not yet started).
    const pr = prRuns.get(run.id);
    if (pr !== undefined && pr.model.jobKeys.some((key) => !pr.results.has(key))) return;
    if (run.status === 'completed') return;
    run.status = 'completed';
    run.conclusion = run.cancelRequested || runJobs.some((j) => j.conclusion === 'cancelled')
      ? 'cancelled'
      : runJobs.some((j) => j.conclusion === 'failure')
        ? 'failure'
        : 'success';
    run.updatedAt = iso();
    send('workflow_run', objects().workflowRunPayload('completed', run));
    // The group frees up: its pending run (at most one) starts.
    const next = [...runs.values()].find((r) => r.group === run.group && r.group !== null && r.status === 'pending');
    if (next !== undefined) activate(next);
    changed();
  };

  const completeJob = (job: JobRecord, conclusion: Conclusion): void => {
    if (job.status === 'completed') return;
    const run = runOf(job);
    job.status = 'completed';
    job.conclusion = conclusion;
    job.completedAt = iso();
    for (const step of job.steps) {
      if (step.status !== 'completed') {
        step.status = 'completed';
        step.conclusion = step.conclusion === 'skipped' ? 'skipped' : conclusion === 'cancelled' ? 'cancelled' : 'skipped';
        step.completedAt = iso();
      }
    }
    if (job.runnerId !== null) {
      const runner = runners.get(job.runnerId);
      // Ephemeral runners are removed after their one job; a runner that never took the job goes back to idle.
      if (runner !== undefined) {
        if (runner.jobId === job.id && jobStarted.has(job.id)) runners.delete(runner.id);
        else {
          runner.busy = false;
          runner.jobId = null;
        }
      }
    }
    send('workflow_job', objects().workflowJobPayload('completed', job, run));
    jobCheck(job, run);
    planPullRequestJobs(run);
    assignJobs();
    finishRun(run);
    changed();
  };

  const jobStarted = new Set<number>();

  const assignJobs = (): void => {
    for (const job of jobs.values()) {
      if (job.status !== 'queued' || job.runnerId !== null) continue;
      const origin = () => ({ repositoryId: runOf(job).foreignRepository?.id ?? objects().repo.id, repositoryPublic: true, workflowRef: workflowRefOf(runOf(job), `${owner}/${repoName}`) });
      const runner = [...runners.values()].find((r) => r.status === 'online' && !r.busy && r.jobId === null && labelMatch(r, job.labels) && orgGroups.admits(r.groupId, origin));
      if (runner === undefined) continue;
      runner.busy = true;
      runner.jobId = job.id;
      job.runnerId = runner.id;
      job.runnerName = runner.name;
      const waiter = jobWaiters.get(runner.id);
      if (waiter !== undefined) {
        jobWaiters.delete(runner.id);
        waiter(startJob(job));
      }
    }
    changed();
  };

  /** The runner took its job: the job (and its run, the first time) is in progress. */
  const startJob = (job: JobRecord): RunnerJobMessage => {
    const run = runOf(job);
    jobStarted.add(job.id);
    job.status = 'in_progress';
    job.startedAt = iso();
    if (run.status !== 'in_progress') {
      run.status = 'in_progress';
      run.startedAt = iso();
      run.updatedAt = iso();
      send('workflow_run', objects().workflowRunPayload('in_progress', run));
    }
    send('workflow_job', objects().workflowJobPayload('in_progress', job, run));
    jobCheck(job, run);
    changed();
    return {
      jobId: job.id,
      runId: run.id,
      jobName: job.name,
      runName: run.name,
      workflowFile: run.workflowFile,
      jobKey: job.jobKey,
      inputs: run.inputs,
      context: jobContexts.get(job.id) ?? {},
      steps: job.steps.map((s) => ({ number: s.number, name: s.name, skip: s.conclusion === 'skipped' })),
    };
  };

  const cancelRun = (run: RunRecord, force: boolean): void => {
    run.cancelRequested = true;
    run.updatedAt = iso();
    if (run.status === 'pending') {
      run.status = 'completed';
      run.conclusion = 'cancelled';
      send('workflow_run', objects().workflowRunPayload('completed', run));
      changed();
      return;
    }
    for (const jobId of run.jobIds) {
      const job = jobs.get(jobId);
      if (job === undefined || job.status === 'completed') continue;
      // A job no runner has started is cancelled at once; a running one when its runner sees the cancel (or now, forced).
      if (job.status === 'queued' || force) completeJob(job, 'cancelled');
    }
    finishRun(run);
    changed();
  };

  /** A new run enters pending, is stored, and GitHub sends `workflow_run requested`. */
  const enterRun = (fields: Omit<RunRecord, 'createdAt' | 'status' | 'conclusion' | 'updatedAt' | 'startedAt' | 'jobIds' | 'cancelRequested'>): RunRecord => {
    const run: RunRecord = { ...fields, createdAt: iso(), status: 'pending', conclusion: null, updatedAt: iso(), startedAt: iso(), jobIds: [], cancelRequested: false };
    runs.set(run.id, run);
    send('workflow_run', objects().workflowRunPayload('requested', run));
    return run;
  };
  /** The other unfinished runs of the run's concurrency group. */
  const othersInGroup = (run: RunRecord): RunRecord[] => (run.group === null ? [] : [...runs.values()].filter((r) => r.id !== run.id && r.group === run.group && r.status !== 'completed'));

  const dispatch = (file: string, ref: string, inputs: Record<string, string>): RunRecord => {
    const model = workflows[file];
    if (model === undefined) throw new Error(`no workflow ${file}`);
    const group = model.concurrencyGroup(inputs);
    const run = enterRun({
      id: id(),
      runNumber: ++runNumber,
      workflowFile: file,
      workflowId: 100 + Object.keys(workflows).indexOf(file),
      workflowName: model.name,
      name: model.runName(inputs),
      inputs,
      event: 'workflow_dispatch',
      // The App's installation token dispatched it: GitHub names the App's bot user.
      actor: appBot,
      triggeringActor: appBot,
      runAttempt: 1,
      foreignRepository: null,
      context: {},
      headBranch: ref.replace(/^refs\/heads\//, ''),
      headSha: branchCommits.at(-1) ?? '',
      group,
    });
    // Over GitHub's queue limit the run is created and fails at once.
    if (limits?.runQueued() === false) { completeForeignRun(run.id, 'failure'); return run; }
    const inGroup = othersInGroup(run);
    // Concurrency: one running (queued or in progress) + one pending; a newer pending run cancels the older pending one.
    for (const older of inGroup.filter((r) => r.status === 'pending')) cancelRun(older, false);
    if (inGroup.every((r) => r.status === 'pending')) activate(run);
    changed();
    return run;
  };

  /** A run the farm did not dispatch (foreign-run-spec.ts): entered and queued as GitHub would, its jobs queued for any runner whose labels match. */
  const startForeignRun = (spec: ForeignRunSpec): RunRecord => {
    const onDefaultBranch = (spec.event === 'workflow_dispatch' || spec.event === 'push' || spec.event === 'schedule') && spec.headBranch === defaultBranch && spec.repository === undefined;
    const headSha = spec.headSha ?? (onDefaultBranch ? (branchCommits.at(-1) ?? '') : randomBytes(20).toString('hex'));
    if (!branchCommits.includes(headSha)) otherCommits.add(headSha);
    const fileIndex = Object.keys(workflows).indexOf(spec.workflowFile);
    const run = enterRun({
      id: id(),
      runNumber: ++runNumber,
      workflowFile: spec.workflowFile,
      workflowId: fileIndex >= 0 ? 100 + fileIndex : 300 + spec.workflowFile.length,
      workflowName: spec.workflowName ?? spec.workflowFile,
      name: spec.runName,
      inputs: spec.inputs ?? {},
      event: spec.event,
      actor: spec.actor,
      triggeringActor: spec.actor,
      runAttempt: 1,
      foreignRepository: spec.repository ?? null,
      context: {},
      headBranch: spec.headBranch,
      headSha,
      group: null,
    });
    if (spec.inputs !== undefined && workflows[spec.workflowFile] !== undefined) {
      activate(run);
      changed();
      return run;
    }
    run.status = 'queued';
    run.updatedAt = iso();
    for (const job of spec.jobs ?? []) {
      // `runs-on` may use the run's own id and attempt, as ports-pr.yml's labels do.
      const labels = job.labels.map((l) => l.replaceAll('${{ github.run_id }}', String(run.id)).replaceAll('${{ github.run_attempt }}', String(run.runAttempt)));
      createJob(run, { jobKey: job.name, name: job.name, labels, steps: [{ name: job.name, skip: false }], skipped: false, matrix: {}, strategy: {}, context: {} });
    }
    assignJobs();
    changed();
    return run;
  };

  const completeForeignRun = (runId: number, conclusion: Conclusion): void => {
    const run = runs.get(runId);
    if (run === undefined) throw new Error(`no run ${runId}`);
    for (const jobId of run.jobIds) {
      const job = jobs.get(jobId);
      if (job !== undefined && job.status !== 'completed') completeJob(job, conclusion);
    }
    if (run.status === 'completed') return;
    run.status = 'completed';
    run.conclusion = conclusion;
    run.updatedAt = iso();
    send('workflow_run', objects().workflowRunPayload('completed', run));
    changed();
  };

  // ── REST handlers ─────────────────────────────────────────────────────────────────
  const repoPath = `/repos/${owner}/${repoName}`;

  const handle = (routed: Routed, query: URLSearchParams, body: unknown): HttpAnswer => {
    const p = routed.params;
    if ('owner' in p && (p.owner !== owner || p.repo !== repoName)) return error(404, 'Not Found');
    const b = (body ?? {}) as Record<string, unknown>;
    switch (routed.operation) {
      case 'apps/get-authenticated': {
        const integration = schema.example('integration') as Record<string, unknown>;
        return new HttpAnswer(200, { ...integration, id: appId, slug: 'portfarm', name: 'portfarm' });
      }
      case 'apps/get-repo-installation': {
        const installation = schema.example('installation') as Record<string, unknown>;
        return new HttpAnswer(200, { ...installation, id: installationId, app_id: appId, app_slug: 'portfarm' });
      }
      case 'apps/create-installation-access-token': {
        if (Number(p.installation_id) !== installationId) return error(404, 'Not Found');
        const token = `ghs_${randomBytes(18).toString('hex')}`;
        const expires = new Date(now().getTime() + 3600_000);
        tokens.set(token, expires.getTime());
        return new HttpAnswer(201, {
          token,
          expires_at: expires.toISOString().replace(/\.\d{3}Z$/, 'Z'),
          permissions: { actions: 'write', checks: 'write', contents: 'read', administration: 'write', metadata: 'read' },
          repository_selection: 'selected',
        });
      }
      case 'apps/list-webhook-deliveries': {
        const perPage = Math.min(Number(query.get('per_page') ?? '30'), 100);
        const status = query.get('status');
        const cursor = query.get('cursor');
        let list = [...deliveries].reverse().filter((d) => d.status !== 'pending');
        if (status === 'success') list = list.filter((d) => d.statusCode >= 200 && d.statusCode < 300);
        if (status === 'failure') list = list.filter((d) => !(d.statusCode >= 200 && d.statusCode < 300));
        if (cursor !== null) list = list.filter((d) => d.id < Number(cursor));
        const page = list.slice(0, perPage);
        const last = page.at(-1);
        const headers: Record<string, string> = {};
        if (list.length > perPage && last !== undefined) {
          headers.link = `<${url}/app/hook/deliveries?per_page=${perPage}&cursor=${last.id}${status === null ? '' : `&status=${status}`}>; rel="next"`;
        }
        return new HttpAnswer(200, page.map((d) => objects().delivery(d, false)), { headers });
      }
      case 'apps/get-webhook-delivery': {
        const d = deliveries.find((x) => x.id === Number(p.delivery_id));
        return d === undefined ? error(404, 'Not Found') : new HttpAnswer(200, objects().delivery(d, true));
      }
      case 'apps/redeliver-webhook-delivery': {
        const d = deliveries.find((x) => x.id === Number(p.delivery_id));
        if (d === undefined) return error(404, 'Not Found');
        const again: DeliveryRecord = { ...d, id: id(), redelivery: true, deliveredAt: iso(), statusCode: 0, status: 'pending', durationSeconds: 0 };
        deliveries.push(again);
        dispatchDelivery(again);
        return new HttpAnswer(202, {});
      }
      case 'actions/create-workflow-dispatch': {
        const file = p.workflow_id ?? '';
        const model = workflows[file];
        if (model === undefined) return error(404, 'Not Found');
        const ref = String(b.ref);
        if (ref !== defaultBranch && ref !== `refs/heads/${defaultBranch}`) return error(422, `No ref found for: ${ref}`);
        const raw = (b.inputs ?? {}) as Record<string, unknown>;
        const unexpected = Object.keys(raw).filter((k) => !model.inputs.includes(k));
        if (unexpected.length > 0) return error(422, `Unexpected inputs provided: ${JSON.stringify(unexpected)}`);
        const inputs: Record<string, string> = {};
        for (const [k, v] of Object.entries(raw)) inputs[k] = typeof v === 'string' ? v : JSON.stringify(v);
        const run = dispatch(file, ref, inputs);
        if (b.return_run_details !== true) return new HttpAnswer(204, undefined);
        return new HttpAnswer(200, { workflow_run_id: run.id, run_url: `${url}${repoPath}/actions/runs/${run.id}`, html_url: `https://github.com/${owner}/${repoName}/actions/runs/${run.id}` });
      }
      case 'actions/list-workflow-runs':
      case 'actions/list-workflow-runs-for-repo': {
        let list = [...runs.values()].reverse().filter((r) => r.foreignRepository === null);
        if (routed.operation === 'actions/list-workflow-runs') list = list.filter((r) => r.workflowFile === p.workflow_id || String(r.workflowId) === p.workflow_id);
        const status = query.get('status');
        if (status !== null) list = list.filter((r) => r.status === status || r.conclusion === status);
        const event = query.get('event');
        if (event !== null) list = list.filter((r) => r.event === event);
        list = list.filter((r) => matchesCreated(r.createdAt, query.get('created')));
        return new HttpAnswer(200, { total_count: list.length, workflow_runs: paginate(list, query).map((r) => objects().workflowRun(r)) });
      }
      case 'actions/get-workflow-run': {
        const run = runs.get(Number(p.run_id));
        // A run of another repository is not this repository's to show.
        return run === undefined || run.foreignRepository !== null ? error(404, 'Not Found') : new HttpAnswer(200, objects().workflowRun(run));
      }
      case 'repos/get': {
        // The example is a fork (`parent`, `source`); the ports repository is not one.
        const { parent: _parent, source: _source, ...repository } = schema.example('full-repository-default-response') as Record<string, unknown>;
        const ownerObject = { ...(repository.owner as Record<string, unknown>), login: owner };
        return new HttpAnswer(200, { ...repository, id: objects().repo.id, name: repoName, full_name: `${owner}/${repoName}`, default_branch: defaultBranch, owner: ownerObject, fork: false, private: false, visibility: 'public', language: null });
      }
      case 'repos/get-collaborator-permission-level': {
        const login = p.username ?? '';
        const role = collaborators[login] ?? 'read';
        // The legacy `permission` field folds maintain into write and triage into read, as GitHub does.
        const permission = role === 'maintain' ? 'write' : role === 'triage' ? 'read' : role;
        const example = schema.example('repository-collaborator-permission-response-if-user-has-admin-permissions') as Record<string, unknown>;
        const user = { ...(example.user as Record<string, unknown>), login, role_name: role };
        return new HttpAnswer(200, { ...example, permission, role_name: role, user });
      }
      case 'repos/compare-commits': {
        // `{base}...{head}`: how head relates to base; the double knows its default branch's line and the commits it saw elsewhere.
        const position = (ref: string): number => (ref === defaultBranch ? branchCommits.length - 1 : branchCommits.indexOf(ref));
        const base = p.base ?? '';
        const head = p.head ?? '';
        const known = (ref: string): boolean => position(ref) >= 0 || otherCommits.has(ref);
        if (!known(base) || !known(head)) return error(404, 'Not Found');
        const [b0, h0] = [position(base), position(head)];
        const onLine = b0 >= 0 && h0 >= 0;
        const status = !onLine ? 'diverged' : b0 === h0 ? 'identical' : h0 > b0 ? 'ahead' : 'behind';
        const example = schema.example('commit-comparison') as Record<string, unknown>;
        return new HttpAnswer(200, { ...example, status, ahead_by: onLine ? Math.max(0, h0 - b0) : 1, behind_by: onLine ? Math.max(0, b0 - h0) : 1, total_commits: onLine ? Math.max(0, h0 - b0) : 1, commits: [], files: [] });
      }
      case 'actions/cancel-workflow-run':
      case 'actions/force-cancel-workflow-run': {
        const run = runs.get(Number(p.run_id));
        if (run === undefined) return error(404, 'Not Found');
        if (run.status === 'completed') return error(409, 'Cannot cancel a workflow run that is completed.');
        const force = routed.operation === 'actions/force-cancel-workflow-run';
        if (force || !ignoreCancel) cancelRun(run, force);
        return new HttpAnswer(202, {});
      }
      case 'actions/list-jobs-for-workflow-run': {
        const run = runs.get(Number(p.run_id));
        if (run === undefined) return error(404, 'Not Found');
        const list = run.jobIds.map((j) => jobs.get(j)).filter((j) => j !== undefined);
        return new HttpAnswer(200, { total_count: list.length, jobs: paginate(list, query).map((j) => objects().job(j, run)) });
      }
      case 'actions/get-job-for-workflow-run': {
        const job = jobs.get(Number(p.job_id));
        return job === undefined ? error(404, 'Not Found') : new HttpAnswer(200, objects().job(job, runOf(job)));
      }
      case 'actions/download-job-logs-for-workflow-run': {
        // GitHub answers with a redirect to a signed URL that works for a minute, without a token.
        const job = jobs.get(Number(p.job_id));
        if (job === undefined || job.status !== 'completed') return error(404, 'Not Found');
        const signature = randomBytes(12).toString('hex');
        logDownloads.set(signature, { jobId: job.id, expires: now().getTime() + 60_000 });
        return new HttpAnswer(302, undefined, { headers: { location: `${url}/_logs/jobs/${job.id}/signedlogcontent?urlSignature=${signature}` } });
      }
      case 'actions/generate-runner-jitconfig-for-org':
      case 'actions/generate-runner-jitconfig-for-repo': {
        const forOrg = routed.operation === 'actions/generate-runner-jitconfig-for-org';
        const refused = forOrg ? orgGroups.refuse(p.org ?? '', 'write', Number(b.runner_group_id)) : undefined;
        if (refused !== undefined) return error(refused.status, refused.message ?? '');
        const name = String(b.name);
        if ([...runners.values()].some((r) => r.name === name)) return error(409, `Already exists - A runner with the name ${name} already exists.`);
        if (!forOrg && b.runner_group_id !== 1) return error(404, 'Not Found - runner group not found');
        const custom = (b.labels as string[]).filter((l) => l.toLowerCase() !== 'self-hosted');
        const runner: RunnerRecord = {
          id: id(),
          name,
          labels: [{ id: 1, name: 'self-hosted', type: 'read-only' }, ...custom.map((l, i) => ({ id: 100 + i, name: l, type: 'custom' as const }))],
          jitSecret: randomBytes(16).toString('hex'),
          os: 'unknown',
          status: 'offline',
          busy: false,
          connected: false,
          jobId: null,
          ...(forOrg ? { groupId: Number(b.runner_group_id) } : {}),
        };
        runners.set(runner.id, runner);
        changed();
        const encoded = Buffer.from(JSON.stringify({ url, runnerId: runner.id, name, secret: runner.jitSecret })).toString('base64');
        return new HttpAnswer(201, { runner: objects().runner(runner), encoded_jit_config: encoded });
      }
      case 'actions/list-self-hosted-runners-for-org':
      case 'actions/list-self-hosted-runners-for-repo': {
        const forOrg = routed.operation === 'actions/list-self-hosted-runners-for-org';
        const refused = forOrg ? orgGroups.refuse(p.org ?? '', 'read') : undefined;
        if (refused !== undefined) return error(refused.status, refused.message ?? '');
        const name = query.get('name');
        const list = [...runners.values()].filter((r) => (name === null || r.name === name) && (r.groupId !== undefined) === forOrg);
        return new HttpAnswer(200, { total_count: list.length, runners: paginate(list, query).map((r) => objects().runner(r)) });
      }
      case 'actions/get-self-hosted-runner-for-repo': {
        const runner = runners.get(Number(p.runner_id));
        return runner === undefined ? error(404, 'Not Found') : new HttpAnswer(200, objects().runner(runner));
      }
      case 'actions/delete-self-hosted-runner-from-org':
      case 'actions/delete-self-hosted-runner-from-repo': {
        const forOrg = routed.operation === 'actions/delete-self-hosted-runner-from-org';
        const refused = forOrg ? orgGroups.refuse(p.org ?? '', 'write') : undefined;
        if (refused !== undefined) return error(refused.status, refused.message ?? '');
        const runner = runners.get(Number(p.runner_id));
        if (runner === undefined || (runner.groupId !== undefined) !== forOrg) return error(404, 'Not Found');
        if (runner.jobId !== null && jobStarted.has(runner.jobId)) {
          return new HttpAnswer(422, { message: `Bad request - Runner "${runner.name}" is still running a job"`, documentation_url: DOCS });
        }
        runners.delete(runner.id);
        if (runner.jobId !== null) {
          // Assigned but not started: the job goes back to the queue for another runner.
          const job = jobs.get(runner.jobId);
          if (job !== undefined) {
            job.runnerId = null;
            job.runnerName = null;
          }
        }
        const waiter = jobWaiters.get(runner.id);
        jobWaiters.delete(runner.id);
        waiter?.(null);
        assignJobs();
        return new HttpAnswer(204, undefined);
      }
      case 'actions/get-self-hosted-runner-group-for-org':
      case 'actions/list-repo-access-to-self-hosted-runner-group-in-org': {
        const answered = orgGroups.answer(routed.operation, p);
        return answered.status === 200 ? new HttpAnswer(200, answered.body) : error(answered.status, answered.message ?? '');
      }
      case 'checks/create': {
        const status = typeof b.status === 'string' ? b.status : b.conclusion === undefined ? 'queued' : 'completed';
        const output = (b.output ?? {}) as Record<string, unknown>;
        const check: CheckRunRecord = {
          id: id(),
          app: 'portfarm',
          name: String(b.name),
          headSha: String(b.head_sha),
          status: status as CheckRunRecord['status'],
          conclusion: typeof b.conclusion === 'string' ? b.conclusion : null,
          startedAt: typeof b.started_at === 'string' ? b.started_at : iso(),
          completedAt: status === 'completed' ? (typeof b.completed_at === 'string' ? b.completed_at : iso()) : null,
          // Without one GitHub uses the App's homepage.
          detailsUrl: typeof b.details_url === 'string' ? b.details_url : 'https://github.com/apps/portfarm',
          externalId: typeof b.external_id === 'string' ? b.external_id : '',
          output: {
            title: typeof output.title === 'string' ? output.title : null,
            summary: typeof output.summary === 'string' ? output.summary : null,
            text: typeof output.text === 'string' ? output.text : null,
          },
        };
        if (check.status === 'completed' && check.conclusion === null) return error(422, 'Invalid request. "conclusion" is required when status is completed.');
        const refused = suiteLimits.refusal(check);
        if (refused !== null) return error(422, refused);
        checkRuns.set(check.id, check);
        for (const gone of suiteLimits.created(check)) checkRuns.delete(gone);
        send('check_run', objects().checkRunPayload('created', check));
        if (check.status === 'completed') send('check_run', objects().checkRunPayload('completed', check));
        return new HttpAnswer(201, objects().checkRun(check));
      }
      case 'checks/update': {
        const check = checkRuns.get(Number(p.check_run_id));
        if (check === undefined) return error(404, 'Not Found');
        const wasCompleted = check.status === 'completed';
        if (typeof b.status === 'string') check.status = b.status as CheckRunRecord['status'];
        if (typeof b.conclusion === 'string') {
          check.conclusion = b.conclusion;
          check.status = 'completed';
        }
        if (typeof b.details_url === 'string') check.detailsUrl = b.details_url;
        if (typeof b.external_id === 'string') check.externalId = b.external_id;
        if (typeof b.started_at === 'string') check.startedAt = b.started_at;
        if (check.status === 'completed') check.completedAt = typeof b.completed_at === 'string' ? b.completed_at : iso();
        else {
          // A forced rebuild re-opens the same check run.
          check.conclusion = null;
          check.completedAt = null;
        }
        if (check.status === 'completed' && check.conclusion === null) return error(422, 'Invalid request. "conclusion" is required when status is completed.');
        const output = b.output as Record<string, unknown> | undefined;
        if (output !== undefined) {
          check.output = {
            title: typeof output.title === 'string' ? output.title : check.output.title,
            summary: typeof output.summary === 'string' ? output.summary : check.output.summary,
            text: typeof output.text === 'string' ? output.text : check.output.text,
          };
        }
        if (check.status === 'completed' && !wasCompleted) send('check_run', objects().checkRunPayload('completed', check));
        return new HttpAnswer(200, objects().checkRun(check));
      }
      case 'checks/get': {
        const check = checkRuns.get(Number(p.check_run_id));
        return check === undefined ? error(404, 'Not Found') : new HttpAnswer(200, objects().checkRun(check));
      }
      case 'checks/list-for-ref': {
        const name = query.get('check_name');
        const list = [...checkRuns.values()].filter((c) => c.headSha === p.ref && (name === null || c.name === name));
        return new HttpAnswer(200, { total_count: list.length, check_runs: paginate(list, query).map((c) => objects().checkRun(c)) });
      }
    }
  };

  const authorize = async (operation: OperationId, header: string | undefined): Promise<HttpAnswer | undefined> => {
    const [scheme = '', credential = ''] = (header ?? '').split(' ');
    // Every apps/* operation portfarm uses is called as the App (JWT); the rest with an installation token.
    if (operation.startsWith('apps/')) {
      if (scheme.toLowerCase() !== 'bearer') return new HttpAnswer(401, { message: 'A JSON web token could not be decoded', documentation_url: DOCS }, { generic: true });
      const bad = await explainBadAppJwt(credential, publicKey, appId, now());
      return bad === undefined ? undefined : new HttpAnswer(401, { message: bad, documentation_url: DOCS }, { generic: true });
    }
    const expires = tokens.get(credential);
    if ((scheme.toLowerCase() !== 'token' && scheme.toLowerCase() !== 'bearer') || expires === undefined || expires < now().getTime()) {
      return new HttpAnswer(401, { message: 'Bad credentials', documentation_url: DOCS }, { generic: true });
    }
    return undefined;
  };

  const takeFault = (operation: OperationId): HttpAnswer | undefined => {
    const entry = httpFaults.find((f) => f.left > 0 && (f.fault.operation === undefined || f.fault.operation === operation));
    if (entry === undefined) return undefined;
    entry.left -= 1;
    const { status, retryAfterSeconds } = entry.fault;
    const key = `${status}${retryAfterSeconds === undefined ? '' : '+retry-after'}`;
    injected.requests[key] = (injected.requests[key] ?? 0) + 1;
    const headers: Record<string, string> = retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) };
    const message = status === 403 || status === 429 ? 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' : status === 502 ? 'Server Error' : 'Internal Server Error';
    return new HttpAnswer(status, { message, documentation_url: DOCS }, { headers, generic: true });
  };

  // ── the runner protocol (double only) ───────────────────────────────────────────────
  const runnerProtocol = async (method: string, path: string, body: unknown, res: ServerResponse): Promise<void> => {
    const json = (status: number, value: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    };
    const b = (body ?? {}) as Record<string, unknown>;
    if (method === 'POST' && path === '/_runner/connect') {
      const runner = runners.get(Number(b.runnerId));
      if (runner === undefined || runner.jitSecret !== b.secret || runner.name !== b.name) { json(401, { message: 'JIT config is not valid (runner deleted or never registered)' }); return; }
      if (runner.connected) { json(409, { message: `JIT config of runner ${runner.name} was already used` }); return; }
      runner.connected = true;
      runner.status = 'online';
      runner.os = 'macOS';
      assignJobs();
      json(200, { runnerId: runner.id, name: runner.name }); return;
    }
    const match = /^\/_runner\/(\d+)\/(job|steps|complete|disconnect)$/.exec(path);
    const runner = match === null ? undefined : runners.get(Number(match[1]));
    if (match === null) { json(404, { message: 'no such runner endpoint' }); return; }
    if (runner === undefined) { json(404, { message: 'runner was deleted' }); return; }
    switch (match[2]) {
      case 'job': {
        if (runner.jobId !== null) {
          const job = jobs.get(runner.jobId);
          if (job !== undefined && !jobStarted.has(job.id)) { json(200, startJob(job)); return; }
        }
        const message = await new Promise<RunnerJobMessage | null>((resolve) => {
          jobWaiters.set(runner.id, resolve);
          // The runner hung up (stopped): it no longer waits for a job.
          res.once('close', () => {
            if (jobWaiters.get(runner.id) === resolve) jobWaiters.delete(runner.id);
          });
        });
        if (message === null) json(404, { message: 'runner was deleted' });
        else json(200, message);
        return;
      }
      case 'steps': {
        const job = runner.jobId === null ? undefined : jobs.get(runner.jobId);
        if (job === undefined) { json(409, { message: 'runner has no job' }); return; }
        const step = job.steps.find((s) => s.number === Number(b.number));
        if (step !== undefined && job.status !== 'completed') {
          step.status = b.status === 'completed' ? 'completed' : 'in_progress';
          if (step.status === 'in_progress') step.startedAt = iso();
          else {
            step.startedAt ??= iso();
            step.completedAt = iso();
            step.conclusion = (b.conclusion as Conclusion | undefined) ?? 'success';
          }
          changed();
        }
        json(200, { cancelRequested: runOf(job).cancelRequested }); return;
      }
      case 'complete': {
        const job = runner.jobId === null ? undefined : jobs.get(runner.jobId);
        if (job !== undefined) {
          // The job's `outputs:` (what `needs.<job>.outputs` gives later jobs), as the runner evaluated them.
          const outputs = typeof b.outputs === 'object' && b.outputs !== null ? (b.outputs as Record<string, unknown>) : {};
          job.outputs = Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, String(v)]));
          const tooLarge = outputsTooLarge(job.outputs);
          if (tooLarge) job.outputs = {};
          completeJob(job, tooLarge ? 'failure' : ((b.conclusion as Conclusion | undefined) ?? 'success'));
        }
        runners.delete(runner.id);
        changed();
        json(200, {}); return;
      }
      case 'disconnect': {
        runner.status = 'offline';
        const job = runner.jobId === null ? undefined : jobs.get(runner.jobId);
        // A runner that dies mid-job fails the job, as GitHub does after it loses the runner.
        if (job !== undefined && jobStarted.has(job.id)) completeJob(job, 'failure');
        changed();
        json(200, {}); return;
      }
      default:
        { json(404, { message: 'no such runner endpoint' }); return; }
    }
  };

  // ── the server ──────────────────────────────────────────────────────────────────────
  const server = createServer((req, res) => {
    void (async () => {
      const requestUrl = new URL(req.url ?? '/', 'http://double');
      const method = req.method ?? 'GET';
      const raw = await readBody(req);
      let body: unknown;
      try {
        body = raw === '' ? undefined : (JSON.parse(raw) as unknown);
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'Problems parsing JSON', documentation_url: DOCS }));
        return;
      }
      if (requestUrl.pathname.startsWith('/_logs/')) {
        // The signed download URL a job-log request redirects to (a blob store on GitHub).
        const signed = logDownloads.get(requestUrl.searchParams.get('urlSignature') ?? '');
        const job = signed === undefined || signed.expires < now().getTime() ? undefined : jobs.get(signed.jobId);
        if (job === undefined || requestUrl.pathname !== `/_logs/jobs/${job.id}/signedlogcontent`) {
          res.writeHead(403, { 'content-type': 'application/xml' }).end('<Error><Code>AuthenticationFailed</Code></Error>');
          return;
        }
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(jobLogText(job));
        return;
      }
      if (requestUrl.pathname.startsWith('/_runner/')) {
        await runnerProtocol(method, requestUrl.pathname, body, res);
        return;
      }
      if (limits !== null) { limits.enter(); res.once('close', () => { limits.release(); }); }
      let routed: Routed | undefined;
      for (const route of routes) {
        if (route.method !== method) continue;
        const m = route.regex.exec(requestUrl.pathname);
        if (m === null) continue;
        const params: Record<string, string> = {};
        route.names.forEach((name, i) => (params[name] = decodeURIComponent(m[i + 1] ?? '')));
        routed = { operation: route.id, params };
        break;
      }
      const answer = async (): Promise<HttpAnswer> => {
        if (routed === undefined) {
          violations.push({ where: 'request', operation: `${method} ${requestUrl.pathname}`, problems: ['no operation of the cut OpenAPI document matches'] });
          return error(404, 'Not Found');
        }
        const auth = await authorize(routed.operation, req.headers.authorization);
        if (auth !== undefined) return auth;
        const refused = limits?.admit({ budget: budgetOf(routed.operation), method, endpoint: routed.operation, contentCreating: routed.operation === 'checks/create' || routed.operation === 'actions/create-workflow-dispatch' });
        if (refused !== undefined) return new HttpAnswer(refused.status, { message: refused.message, documentation_url: RATE_DOCS }, { headers: refused.headers, generic: true });
        const fault = takeFault(routed.operation);
        if (fault !== undefined) return fault;
        const params: Record<string, string> = { ...routed.params };
        for (const [k, v] of requestUrl.searchParams) params[k] = v;
        const problems = schema.checkRequest(routed.operation, params, body);
        if (problems.length > 0) {
          violations.push({ where: 'request', operation: routed.operation, problems });
          return new HttpAnswer(422, { message: `Invalid request.\n\n${problems.join('\n')}`, documentation_url: DOCS }, { generic: true });
        }
        return handle(routed, requestUrl.searchParams, body);
      };
      let result: HttpAnswer;
      try {
        result = await answer();
      } catch (err) {
        result = new HttpAnswer(500, { message: `double failed: ${err instanceof Error ? err.message : String(err)}` }, { generic: true });
        violations.push({ where: 'response', operation: routed?.operation ?? requestUrl.pathname, problems: [`the double threw: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`] });
      }
      if (routed !== undefined && !result.generic) {
        const problems = schema.checkResponse(routed.operation, result.status, result.body);
        if (result.status >= 300 && result.status < 400 && result.headers.location === undefined) problems.push(`status ${result.status} of ${routed.operation} has no Location header`);
        if (problems.length > 0) violations.push({ where: 'response', operation: routed.operation, problems });
      }
      requests.push({ method, path: requestUrl.pathname, operation: routed?.operation ?? null, status: result.status });
      const headers: Record<string, string> = {
        'x-github-request-id': randomUUID(),
        'x-ratelimit-limit': '15000',
        'x-ratelimit-remaining': String(Math.max(0, 15000 - requests.length)),
        'x-ratelimit-used': String(requests.length),
        'x-ratelimit-reset': String(Math.floor(now().getTime() / 1000) + 3600),
        'x-ratelimit-resource': 'core',
        ...limits?.headers(budgetOf(routed?.operation)),
        ...result.headers,
      };
      if (result.body === undefined) {
        res.writeHead(result.status, headers).end();
      } else {
        res.writeHead(result.status, { ...headers, 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(result.body));
      }
    })().catch((err: unknown) => {
      violations.push({ where: 'response', operation: req.url ?? '', problems: [`the double failed: ${String(err)}`] });
      if (!res.headersSent) res.writeHead(500).end();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      resolve();
    });
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // GitHub cancels a self-hosted job left queued past its queue time (checked 4 times a wall second).
  const queueSweep = limits === null ? undefined : setInterval(() => {
    for (const job of limits.expiredJobs((j) => jobs.get(j)?.status === 'queued').map((j) => jobs.get(j)).filter((j) => j !== undefined)) { completeJob(job, 'cancelled'); finishRun(runOf(job)); }
  }, 250).unref();
  try {
    objectsRef.value = new GitHubObjects(
      { owner, name: repoName, id: 4242_0001, defaultBranch, apiUrl: url, appId, appSlug: 'portfarm', installationId },
      schema,
    );
  } catch (err) {
    server.close();
    throw err;
  }

  let closing: Promise<void> | undefined;
  return {
    url,
    appId,
    appPrivateKey: keyPair?.privateKeyPem ?? null,
    installationId,
    owner,
    repo: repoName,
    schema,
    violations,
    requests,
    runs: () => [...runs.values()],
    jobs: () => [...jobs.values()],
    runners: () => [...runners.values()],
    checkRuns: () => [...checkRuns.values()],
    deliveries: () => [...deliveries],
    onChange(listener) {
      changeListeners.add(listener);
      return () => { changeListeners.delete(listener); };
    },
    rateLimits: limits,
    push: (spec) => {
      if (spec.ref === `refs/heads/${defaultBranch}`) {
        for (const commit of [...spec.commits.map((c) => c.id), spec.after]) if (!branchCommits.includes(commit)) branchCommits.push(commit);
      } else otherCommits.add(spec.after);
      return send('push', objects().pushPayload(spec));
    },
    startRun: (spec) => startForeignRun(spec),
    completeRun: (runId, conclusion) => { completeForeignRun(runId, conclusion); },
    defaultBranchCommits: () => [...branchCommits],
    pullRequest: (spec) => {
      const guid = send('pull_request', objects().pullRequestPayload(spec));
      for (const [file, model] of Object.entries(prWorkflows)) {
        if (model.triggers(spec.changedPaths ?? [])) startPullRequestRun(model, spec, 200 + Object.keys(prWorkflows).indexOf(file));
      }
      return guid;
    },
    setWebhookFault(mode, events) {
      webhookFault = { mode, events: events ?? null };
    },
    releaseDelayedDeliveries() {
      const held = delayed;
      delayed = [];
      for (const record of held) post(record);
    },
    failRequests(fault) {
      httpFaults.push({ fault, left: fault.times });
    },
    setIgnoreCancel(ignore) {
      ignoreCancel = ignore;
    },
    faultsInjected: () => ({ ...injected, requests: { ...injected.requests } }),
    async deliveriesSettled() {
      while (inflight.size > 0) await Promise.all([...inflight]);
    },
    waitForRun(predicate, signal) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const found = [...runs.values()].find(predicate);
          if (found !== undefined) {
            changeListeners.delete(check);
            resolve(found);
          }
        };
        signal?.addEventListener('abort', () => {
          changeListeners.delete(check);
          reject(signal.reason as Error);
        }, { once: true });
        changeListeners.add(check);
        check();
      });
    },
    assertNoViolations() {
      if (violations.length === 0) return;
      throw new Error(`the GitHub double saw ${violations.length} schema violation(s):\n${violations.map((v) => `- ${v.where} ${v.operation}: ${v.problems.join('; ')}`).join('\n')}`);
    },
    close() {
      closing ??= (async () => {
        closed = true;
        clearInterval(queueSweep);
        for (const waiter of jobWaiters.values()) waiter(null);
        jobWaiters.clear();
        await Promise.allSettled([...inflight]);
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => { resolve(); }));
      })();
      return closing;
    },
  };
}

/**
 * A job's log as GitHub serves it: timestamped lines, each step in a `##[group]` with what it
 * did. The runner stand-in reports steps and conclusions only, so that is what the log says.
 */
function jobLogText(job: JobRecord): string {
  const lines: string[] = [];
  const at = (time: string | null): string => time ?? job.startedAt;
  lines.push(`${at(job.startedAt)} Job ${job.name} ran on runner ${job.runnerName ?? '(none)'}`);
  for (const step of job.steps) {
    if (step.conclusion === 'skipped') continue;
    lines.push(`${at(step.startedAt)} ##[group]Run ${step.name}`, `${at(step.completedAt)} ${step.name}: ${step.conclusion ?? 'unknown'}`, `${at(step.completedAt)} ##[endgroup]`);
    if (step.conclusion === 'failure') lines.push(`${at(step.completedAt)} ##[error]Process completed with exit code 1.`);
  }
  lines.push(`${at(job.completedAt)} Job completed: ${job.conclusion ?? 'unknown'}`);
  return `${lines.join('\n')}\n`;
}
