import { z } from 'zod';
import type { GitHubClients } from './create-github-clients.ts';
import { toGitHubError } from './github-error.ts';
import type { RunIdentity } from './verify-run-identity.ts';

/** The fields of a REST workflow run (`GET /repos/{owner}/{repo}/actions/runs/{id}`) that say which run it is. */
const restRunSchema = z.object({
  id: z.int(),
  run_attempt: z.int().optional(),
  path: z.string(),
  event: z.string(),
  head_branch: z.string().nullable(),
  head_sha: z.string(),
  repository: z.object({ id: z.int(), full_name: z.string() }),
  actor: z.object({ login: z.string() }).nullable().optional(),
  triggering_actor: z.object({ login: z.string() }).nullable().optional(),
});

/** A REST workflow run as a RunIdentity; throws naming the missing field. */
export function runIdentityOf(run: unknown): RunIdentity {
  const parsed = restRunSchema.safeParse(run);
  if (!parsed.success) {
    throw new Error(`a workflow run from GitHub lacks what identifies it: ${parsed.error.issues.map((i) => `${i.path.map(String).join('.')} ${i.message}`).join('; ')}`);
  }
  const r = parsed.data;
  return {
    runId: r.id,
    runAttempt: r.run_attempt ?? 1,
    repositoryId: r.repository.id,
    repository: r.repository.full_name,
    path: r.path,
    event: r.event,
    headBranch: r.head_branch,
    headSha: r.head_sha,
    triggeringActor: r.triggering_actor?.login ?? null,
    actor: r.actor?.login ?? null,
  };
}

/**
 * Asks GitHub once per run id what the run is (repository, workflow file, trigger, branch,
 * actors never change for a run id) and remembers the answer, so a flood of jobs claiming one
 * run costs one request. Bounded: the oldest answers are forgotten first. A failure is
 * remembered too, for `failureMemoryMs`: each ask that GitHub fails with a 5xx costs the
 * retries (1 + 4 + 9 s) at the head of the one delivery queue, so without it every job of a
 * 256-job matrix asked again during an outage and held every other delivery back for an hour.
 * The jobs refused meanwhile are asked about again by the next sweep.
 */
export class RunIdentityLookup {
  readonly #clients: Pick<GitHubClients, 'installation' | 'owner' | 'repo'>;
  /** The answer per run id, and until when it holds (a success: for ever). */
  readonly #known = new Map<number, { readonly answer: Promise<RunIdentity>; until: number }>();
  readonly #max: number;
  readonly #failureMemoryMs: number;
  readonly #now: () => number;

  constructor(clients: Pick<GitHubClients, 'installation' | 'owner' | 'repo'>, options: { readonly maxRemembered?: number; readonly failureMemoryMs?: number; readonly now?: () => number } = {}) {
    this.#clients = clients;
    this.#max = options.maxRemembered ?? 5_000;
    this.#failureMemoryMs = options.failureMemoryMs ?? 60_000;
    this.#now = options.now ?? Date.now;
  }

  /** The run's identity; rejects when GitHub cannot say (the caller refuses the job, and is asked again once the failure is forgotten). */
  get(runId: number, signal: AbortSignal): Promise<RunIdentity> {
    const known = this.#known.get(runId);
    if (known !== undefined && this.#now() < known.until) return known.answer;
    const { installation, owner, repo } = this.#clients;
    const asked = installation.rest.actions.getWorkflowRun({ owner, repo, run_id: runId, request: { signal } }).then(
      ({ data }) => runIdentityOf(data),
      (err: unknown) => {
        throw toGitHubError(err, `reading run ${runId} to learn which workflow it is`);
      },
    );
    const entry = { answer: asked, until: Number.POSITIVE_INFINITY };
    asked.catch(() => { entry.until = this.#now() + this.#failureMemoryMs; });
    this.#known.delete(runId);
    if (this.#known.size >= this.#max) {
      const oldest = this.#known.keys().next();
      if (oldest.done !== true) this.#known.delete(oldest.value);
    }
    this.#known.set(runId, entry);
    return asked;
  }
}
