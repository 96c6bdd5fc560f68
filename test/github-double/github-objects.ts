import { createRequire } from 'node:module';
import type { CheckRunRecord, DeliveryRecord, JobRecord, RunRecord, RunnerRecord } from './double-records.ts';
import type { SchemaValidator } from './schema-validator.ts';
import type { WebhookSchemaName } from './used-operations.ts';

type Obj = Record<string, unknown>;

export interface RepoIdentity {
  readonly owner: string;
  readonly name: string;
  readonly id: number;
  readonly defaultBranch: string;
  readonly apiUrl: string;
  readonly appId: number;
  readonly appSlug: string;
  readonly installationId: number;
}

interface WebhookExample {
  readonly name: string;
  readonly examples: readonly Obj[];
}

function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function obj(value: unknown): Obj {
  if (!isObj(value)) throw new Error('template is not an object');
  return value;
}

/**
 * Renders the double's records as GitHub's JSON: REST objects start from the examples in
 * GitHub's own OpenAPI document, webhook payloads from `@octokit/webhooks-examples`, with
 * every field portfarm reads replaced by the record's value. The double validates each
 * result against the schema before sending it.
 */
export class GitHubObjects {
  readonly #repo: RepoIdentity;
  readonly #schema: SchemaValidator;
  readonly #webhookTemplates = new Map<WebhookSchemaName, Obj>();

  constructor(repo: RepoIdentity, schema: SchemaValidator) {
    this.#repo = repo;
    this.#schema = schema;
    const require = createRequire(import.meta.url);
    const all = require('@octokit/webhooks-examples/api.github.com/index.json') as readonly WebhookExample[];
    for (const name of ['push', 'pull-request-opened', 'pull-request-synchronize', 'workflow-run-requested', 'workflow-run-in-progress', 'workflow-run-completed', 'workflow-job-queued', 'workflow-job-in-progress', 'workflow-job-completed', 'check-run-created', 'check-run-completed'] as const) {
      const [event, action] = splitName(name);
      const examples = all.find((e) => e.name === event)?.examples ?? [];
      // No example for this action (workflow_run in_progress has none): another action's, re-labelled.
      const sameAction = examples.filter((p) => action === null || p.action === action);
      const candidates = (sameAction.length > 0 ? sameAction : examples).map((p) => (action === null ? p : { ...p, action }));
      // Some examples are older than the schemas (they lack has_discussions, topics…): take one that validates, else patch.
      const chosen = candidates.find((p) => schema.checkWebhook(name, p).length === 0) ?? candidates[0];
      if (chosen === undefined) throw new Error(`no example for webhook ${name}`);
      this.#webhookTemplates.set(name, structuredClone(chosen));
    }
  }

  get repo(): RepoIdentity {
    return this.#repo;
  }

  #repoUrl(): string {
    return `${this.#repo.apiUrl}/repos/${this.#repo.owner}/${this.#repo.name}`;
  }

  #htmlUrl(): string {
    return `https://github.com/${this.#repo.owner}/${this.#repo.name}`;
  }

  workflowRun(run: RunRecord): Obj {
    const out = obj(this.#schema.example('workflow-run'));
    Object.assign(out, {
      id: run.id,
      name: run.workflowName,
      display_title: run.name,
      head_branch: run.headBranch,
      head_sha: run.headSha,
      path: `.github/workflows/${run.workflowFile}`,
      run_number: run.runNumber,
      run_attempt: run.runAttempt,
      event: run.event,
      status: run.status,
      conclusion: run.conclusion,
      workflow_id: run.workflowId,
      url: `${this.#repoUrl()}/actions/runs/${run.id}`,
      html_url: `${this.#htmlUrl()}/actions/runs/${run.id}`,
      jobs_url: `${this.#repoUrl()}/actions/runs/${run.id}/jobs`,
      cancel_url: `${this.#repoUrl()}/actions/runs/${run.id}/cancel`,
      created_at: run.createdAt,
      updated_at: run.updatedAt,
      run_started_at: run.startedAt,
      pull_requests: [],
    });
    this.#renameRepos(out);
    this.#setActors(out, run);
    this.#moveToRepository(out, run);
    return out;
  }

  /** `actor` and `triggering_actor` as GitHub renders a user: a person, or the App's bot (`type: Bot`). */
  #setActors(workflowRun: Obj, run: RunRecord): void {
    for (const [key, login] of [['actor', run.actor], ['triggering_actor', run.triggeringActor]] as const) {
      const user = isObj(workflowRun[key]) ? workflowRun[key] : isObj(workflowRun.actor) ? structuredClone(workflowRun.actor) : null;
      if (user === null) continue;
      const bot = login.endsWith('[bot]');
      // A bot user's page is its App's: https://github.com/apps/<slug>.
      const html = bot ? `https://github.com/apps/${encodeURIComponent(login.slice(0, -'[bot]'.length))}` : `https://github.com/${encodeURIComponent(login)}`;
      Object.assign(user, { login, type: bot ? 'Bot' : 'User', html_url: html, url: `https://api.github.com/users/${encodeURIComponent(login)}` });
      workflowRun[key] = user;
    }
  }

  /** A run in another repository the App is installed in: every `repository` object names that one. */
  #moveToRepository(node: Obj, run: RunRecord): void {
    const foreign = run.foreignRepository;
    if (foreign === null) return;
    const [owner = '', name = ''] = foreign.fullName.split('/');
    for (const key of ['repository', 'head_repository'] as const) {
      const repo = node[key];
      if (!isObj(repo)) continue;
      Object.assign(repo, { id: foreign.id, name, full_name: foreign.fullName });
      if (isObj(repo.owner)) repo.owner.login = owner;
    }
  }

  job(job: JobRecord, run: RunRecord): Obj {
    const out = obj(this.#schema.example('job'));
    Object.assign(out, {
      id: job.id,
      run_id: run.id,
      run_url: `${this.#repoUrl()}/actions/runs/${run.id}`,
      run_attempt: run.runAttempt,
      head_sha: run.headSha,
      head_branch: run.headBranch,
      url: `${this.#repoUrl()}/actions/jobs/${job.id}`,
      html_url: `${this.#htmlUrl()}/actions/runs/${run.id}/job/${job.id}`,
      check_run_url: `${this.#repoUrl()}/check-runs/${job.id}`,
      status: job.status,
      conclusion: job.conclusion,
      created_at: job.createdAt,
      started_at: job.startedAt,
      completed_at: job.completedAt,
      name: job.name,
      workflow_name: run.workflowName,
      labels: [...job.labels],
      runner_id: job.runnerId,
      runner_name: job.runnerName,
      runner_group_id: job.runnerId === null ? null : 1,
      runner_group_name: job.runnerId === null ? null : 'Default',
      steps: job.steps.map((s) => ({
        name: s.name,
        number: s.number,
        status: s.status,
        conclusion: s.conclusion,
        started_at: s.startedAt,
        completed_at: s.completedAt,
      })),
    });
    return out;
  }

  runner(runner: RunnerRecord): Obj {
    return {
      id: runner.id,
      name: runner.name,
      os: runner.os,
      status: runner.status,
      busy: runner.busy,
      ephemeral: true,
      labels: runner.labels.map((l) => ({ id: l.id, name: l.name, type: l.type })),
    };
  }

  checkRun(check: CheckRunRecord): Obj {
    const out = obj(this.#schema.example('check-run'));
    Object.assign(out, {
      id: check.id,
      name: check.name,
      head_sha: check.headSha,
      node_id: Buffer.from(`CheckRun${check.id}`).toString('base64'),
      external_id: check.externalId,
      url: `${this.#repoUrl()}/check-runs/${check.id}`,
      html_url: `${this.#htmlUrl()}/runs/${check.id}`,
      details_url: check.detailsUrl,
      status: check.status,
      conclusion: check.conclusion,
      started_at: check.startedAt,
      completed_at: check.completedAt,
      output: {
        title: check.output.title,
        summary: check.output.summary,
        text: check.output.text,
        annotations_count: 0,
        annotations_url: `${this.#repoUrl()}/check-runs/${check.id}/annotations`,
      },
      pull_requests: [],
    });
    Object.assign(obj(out.app), this.#app(check));
    return out;
  }

  /** The App a check run belongs to: portfarm, or GitHub Actions for a job's own check. */
  #app(check: CheckRunRecord): Obj {
    return check.app === 'portfarm'
      ? { id: this.#repo.appId, slug: this.#repo.appSlug }
      : { id: GITHUB_ACTIONS_APP.id, slug: GITHUB_ACTIONS_APP.slug, name: 'GitHub Actions', node_id: 'MDM6QXBwMTUzNjg=' };
  }

  delivery(d: DeliveryRecord, withBody: boolean): Obj {
    const base: Obj = {
      id: d.id,
      guid: d.guid,
      delivered_at: d.deliveredAt,
      redelivery: d.redelivery,
      duration: d.durationSeconds,
      status: d.status,
      status_code: d.statusCode,
      event: d.event,
      action: d.action,
      installation_id: this.#repo.installationId,
      repository_id: this.#repo.id,
      throttled_at: null,
    };
    if (!withBody) return base;
    return {
      ...base,
      url: 'https://portfarm.invalid/webhooks',
      request: { headers: { 'X-GitHub-Delivery': d.guid, 'X-GitHub-Event': d.event }, payload: JSON.parse(d.body) as unknown },
      response: { headers: {}, payload: null },
    };
  }

  // ── webhook payloads ────────────────────────────────────────────────────────────

  #template(name: WebhookSchemaName): Obj {
    const template = this.#webhookTemplates.get(name);
    if (template === undefined) throw new Error(`no template for ${name}`);
    const out = structuredClone(template);
    this.#renameRepos(out);
    out.installation = { id: this.#repo.installationId, node_id: 'MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==' };
    return out;
  }

  /** Every `repository`/`repo` object in a payload becomes the double's repository. */
  #renameRepos(node: unknown): void {
    if (Array.isArray(node)) {
      for (const item of node) this.#renameRepos(item);
      return;
    }
    if (!isObj(node)) return;
    for (const [key, value] of Object.entries(node)) {
      if ((key === 'repository' || key === 'repo' || key === 'head_repository') && isObj(value) && 'full_name' in value) {
        value.id = this.#repo.id;
        value.name = this.#repo.name;
        value.full_name = `${this.#repo.owner}/${this.#repo.name}`;
        if ('default_branch' in value) value.default_branch = this.#repo.defaultBranch;
        if (isObj(value.owner)) value.owner.login = this.#repo.owner;
        // Examples older than the schema lack these (noted in README: validate, do not loosen).
        value.has_discussions ??= false;
        value.topics ??= [];
        value.visibility ??= 'public';
      }
      this.#renameRepos(value);
    }
  }

  workflowJobPayload(action: 'queued' | 'in_progress' | 'completed', job: JobRecord, run: RunRecord): { name: WebhookSchemaName; payload: Obj } {
    const name = action === 'queued' ? 'workflow-job-queued' : action === 'in_progress' ? 'workflow-job-in-progress' : 'workflow-job-completed';
    const out = this.#template(name);
    out.action = action;
    const rendered = this.job(job, run);
    const workflowJob = obj(out.workflow_job);
    for (const key of Object.keys(workflowJob)) {
      if (key in rendered) workflowJob[key] = rendered[key];
    }
    Object.assign(workflowJob, {
      labels: [...job.labels],
      runner_id: job.runnerId,
      runner_name: job.runnerName,
      runner_group_id: job.runnerId === null ? null : 1,
      runner_group_name: job.runnerId === null ? null : 'Default',
      workflow_name: run.workflowName,
      steps: rendered.steps,
    });
    if (action === 'completed' && workflowJob.conclusion === null) workflowJob.conclusion = 'cancelled';
    this.#moveToRepository(out, run);
    return { name, payload: out };
  }

  workflowRunPayload(action: 'requested' | 'in_progress' | 'completed', run: RunRecord): { name: WebhookSchemaName; payload: Obj } {
    const name = action === 'requested' ? 'workflow-run-requested' : action === 'in_progress' ? 'workflow-run-in-progress' : 'workflow-run-completed';
    const out = this.#template(name);
    out.action = action;
    const workflowRun = obj(out.workflow_run);
    const rendered = this.workflowRun(run);
    for (const key of Object.keys(workflowRun)) {
      if (key in rendered && !isObj(workflowRun[key])) workflowRun[key] = rendered[key];
    }
    workflowRun.status = run.status === 'pending' ? 'pending' : run.status;
    workflowRun.conclusion = run.conclusion;
    workflowRun.pull_requests = [];
    this.#setActors(workflowRun, run);
    this.#moveToRepository(workflowRun, run);
    this.#moveToRepository(out, run);
    const workflow = obj(out.workflow);
    Object.assign(workflow, { id: run.workflowId, name: run.workflowName, path: `.github/workflows/${run.workflowFile}` });
    return { name, payload: out };
  }

  checkRunPayload(action: 'created' | 'completed', check: CheckRunRecord): { name: WebhookSchemaName; payload: Obj } {
    const name = action === 'created' ? 'check-run-created' : 'check-run-completed';
    const out = this.#template(name);
    out.action = action;
    const cr = obj(out.check_run);
    Object.assign(cr, {
      id: check.id,
      name: check.name,
      head_sha: check.headSha,
      external_id: check.externalId,
      details_url: check.detailsUrl,
      status: check.status,
      conclusion: check.conclusion,
      started_at: check.startedAt ?? cr.started_at,
      completed_at: check.completedAt,
      pull_requests: [],
    });
    const suite = obj(cr.check_suite);
    suite.head_sha = check.headSha;
    suite.pull_requests = [];
    if (isObj(cr.app)) Object.assign(cr.app, this.#app(check));
    if (isObj(suite.app)) Object.assign(suite.app, this.#app(check));
    return { name, payload: out };
  }

  pushPayload(push: PushSpec): { name: WebhookSchemaName; payload: Obj } {
    const out = this.#template('push');
    const commits = push.commits.map((c) => ({
      id: c.id,
      tree_id: c.id,
      distinct: true,
      message: c.message,
      timestamp: c.timestamp,
      url: `${this.#htmlUrl()}/commit/${c.id}`,
      author: { name: 'Port Maintainer', email: 'maintainer@macports.org', username: 'maintainer' },
      committer: { name: 'Port Maintainer', email: 'maintainer@macports.org', username: 'maintainer' },
      added: [...c.added],
      removed: [...c.removed],
      modified: [...c.modified],
    }));
    Object.assign(out, {
      ref: push.ref,
      before: push.before,
      after: push.after,
      created: false,
      deleted: false,
      forced: false,
      base_ref: null,
      compare: `${this.#htmlUrl()}/compare/${push.before.slice(0, 12)}...${push.after.slice(0, 12)}`,
      commits,
      head_commit: commits.at(-1) ?? null,
    });
    return { name: 'push', payload: out };
  }

  pullRequestPayload(pr: PullRequestSpec): { name: WebhookSchemaName; payload: Obj } {
    const name = pr.action === 'opened' ? 'pull-request-opened' : 'pull-request-synchronize';
    const out = this.#template(name);
    out.action = pr.action;
    out.number = pr.number;
    const pull = obj(out.pull_request);
    Object.assign(pull, {
      number: pr.number,
      state: 'open',
      title: pr.title,
      url: `${this.#repoUrl()}/pulls/${pr.number}`,
      html_url: `${this.#htmlUrl()}/pull/${pr.number}`,
    });
    const head = obj(pull.head);
    Object.assign(head, { sha: pr.headSha, ref: pr.headRef });
    // The contributor's fork the PR comes from (the runner clones the PR head from it).
    if (pr.cloneUrl !== undefined && isObj(head.repo)) head.repo.clone_url = pr.cloneUrl;
    Object.assign(obj(pull.base), { ref: this.#repo.defaultBranch, sha: pr.baseSha });
    if (pr.action === 'synchronize') {
      out.before = pr.beforeSha ?? pr.baseSha;
      out.after = pr.headSha;
    }
    return { name, payload: out };
  }
}

export interface PushSpec {
  readonly ref: string;
  readonly before: string;
  readonly after: string;
  readonly commits: readonly {
    readonly id: string;
    readonly message: string;
    readonly timestamp: string;
    readonly added: readonly string[];
    readonly removed: readonly string[];
    readonly modified: readonly string[];
  }[];
}

export interface PullRequestSpec {
  readonly action: 'opened' | 'synchronize';
  readonly number: number;
  readonly title: string;
  readonly headSha: string;
  readonly headRef: string;
  readonly baseSha: string;
  readonly beforeSha?: string;
  /** Files the PR changes (`net/curl/Portfile`): workflows whose `paths` filter matches start. */
  readonly changedPaths?: readonly string[];
  /** `pull_request.head.repo.clone_url` (the fork); default the repository's own. */
  readonly cloneUrl?: string;
  /** Who opened or pushed to the PR: the actor of the runs it starts (default `contributor`). */
  readonly author?: string;
}

/** GitHub Actions' own App, which owns the check run of every workflow job. */
export const GITHUB_ACTIONS_APP = { id: 15368, slug: 'github-actions' } as const;

function splitName(name: WebhookSchemaName): [string, string | null] {
  const events = ['pull-request', 'workflow-run', 'workflow-job', 'check-run'];
  for (const event of events) {
    if (name.startsWith(`${event}-`)) return [event.replaceAll('-', '_'), name.slice(event.length + 1).replaceAll('-', '_')];
  }
  return [name, null];
}
