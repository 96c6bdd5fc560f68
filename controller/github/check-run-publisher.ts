import type { Logger } from 'pino';
import type { CheckRequestKind } from './check-pacing.ts';
import type { GitHubClients } from './create-github-clients.ts';
import { toGitHubError } from './github-error.ts';
import { withSignal } from './with-signal.ts';

export type CheckConclusion = 'success' | 'failure' | 'cancelled' | 'skipped' | 'neutral' | 'timed_out';

/**
 * One check run on a commit as it should now read: a port's (port-check-run.ts) or a platform's
 * summary of a large list (rebuild-summary-check-run.ts). `externalId` names the run on its
 * commit, so a rebuild or a restarted controller updates it instead of adding another.
 */
export interface CheckRunState {
  readonly headSha: string;
  readonly externalId: string;
  readonly name: string;
  readonly status: 'queued' | 'in_progress' | 'completed';
  readonly conclusion?: CheckConclusion;
  readonly detailsUrl?: string;
  readonly output: { readonly title: string; readonly summary: string };
  readonly at: Date;
  /** false: only update the commit's run with this external id; never create one. */
  readonly createIfMissing?: boolean;
}

export interface FlushResult {
  readonly created: number;
  readonly updated: number;
  /** REST calls this flush made (list + create + update). */
  readonly apiCalls: number;
}

/**
 * Publishes check runs on a commit (which ones and what they say: CheckPublishing). Updates
 * are batched: `update` only records the newest state per check, and `flush` sends one
 * request per changed check (a check that went queued → completed between flushes costs one
 * call). The first flush for a commit lists the commit's check runs once,
 * so a forced rebuild or a restarted controller updates the same checks instead of adding new ones.
 */
export class CheckRunPublisher {
  readonly #clients: GitHubClients;
  readonly #log: Logger;
  readonly #pending = new Map<string, CheckRunState>();
  /** `<sha>\t<external id>` → check run id. */
  readonly #ids = new Map<string, number>();
  readonly #knownShas = new Set<string>();
  #flushing: Promise<FlushResult> | undefined;
  readonly #pace: (kind: CheckRequestKind, signal: AbortSignal) => Promise<void>;
  readonly #batchSize: number;

  /**
   * `pace` is awaited before each request (check-pacing.ts: the budget's share for checks);
   * `batchSize` caps the changes one flush takes, so the rest stay pending and coalesce.
   */
  constructor(options: { readonly clients: GitHubClients; readonly log: Logger; readonly pace?: (kind: CheckRequestKind, signal: AbortSignal) => Promise<void>; readonly batchSize?: number }) {
    this.#clients = options.clients;
    this.#log = options.log;
    this.#pace = options.pace ?? (() => Promise.resolve());
    this.#batchSize = options.batchSize ?? Number.POSITIVE_INFINITY;
  }

  /** Records the newest state of a check; nothing is sent until `flush`. */
  update(check: CheckRunState): void {
    this.#pending.set(`${check.headSha}\t${check.externalId}`, check);
  }

  /** Whether a state of this check is still to be sent (after a flush: it was not, or a newer one came). */
  isPending(headSha: string, externalId: string): boolean {
    return this.#pending.has(`${headSha}\t${externalId}`);
  }

  get pendingCount(): number {
    return this.#pending.size;
  }

  /** Sends every pending change; concurrent calls share one flush. */
  flush(signal: AbortSignal): Promise<FlushResult> {
    this.#flushing ??= this.#send(signal).finally(() => {
      this.#flushing = undefined;
    });
    return this.#flushing;
  }

  async #send(signal: AbortSignal): Promise<FlushResult> {
    // Check publishing's own client and write queue: dispatch never waits behind it.
    const { checks: octokit, owner, repo } = this.#clients;
    const batch: [string, CheckRunState][] = [];
    for (const entry of this.#pending) {
      if (batch.length >= this.#batchSize) break;
      batch.push(entry);
    }
    for (const [key] of batch) this.#pending.delete(key);
    let created = 0;
    let updated = 0;
    let apiCalls = 0;
    for (const sha of new Set(batch.map(([, c]) => c.headSha))) {
      if (this.#knownShas.has(sha)) continue;
      try {
        await this.#pace('list', signal);
        const existing = await octokit.paginate(withSignal(octokit.rest.checks.listForRef, signal), { owner, repo, ref: sha, per_page: 100, filter: 'latest' });
        apiCalls += Math.max(1, Math.ceil(existing.length / 100));
        for (const run of existing) if (run.external_id !== null && run.external_id !== '') this.#ids.set(`${sha}\t${run.external_id}`, run.id);
        this.#knownShas.add(sha);
      } catch (err) {
        for (const [key, check] of batch) if (!this.#pending.has(key)) this.#pending.set(key, check);
        throw toGitHubError(err, `listing check runs on ${sha}`);
      }
    }
    for (const [i, [key, check]] of batch.entries()) {
      const id = this.#ids.get(key);
      if (id === undefined && check.createIfMissing === false) continue;
      const completed = check.status === 'completed';
      const fields = {
        owner,
        repo,
        status: check.status,
        external_id: check.externalId,
        output: check.output,
        ...(check.detailsUrl === undefined ? {} : { details_url: check.detailsUrl }),
        ...(check.status === 'in_progress' ? { started_at: check.at.toISOString() } : {}),
        ...(completed ? { conclusion: check.conclusion ?? 'neutral', completed_at: check.at.toISOString() } : {}),
        request: { signal },
      };
      try {
        await this.#pace(id === undefined ? 'create' : 'update', signal);
        apiCalls += 1;
        if (id === undefined) {
          const { data } = await octokit.rest.checks.create({ ...fields, name: check.name, head_sha: check.headSha });
          this.#ids.set(key, data.id);
          created += 1;
        } else {
          await octokit.rest.checks.update({ ...fields, check_run_id: id });
          updated += 1;
        }
      } catch (err) {
        // Keep what was not sent (unless a newer state arrived meanwhile) for the next flush.
        for (const [k, c] of batch.slice(i)) if (!this.#pending.has(k)) this.#pending.set(k, c);
        throw toGitHubError(err, `publishing check ${check.name} on ${check.headSha}`);
      }
    }
    if (batch.length > 0) this.#log.debug({ created, updated, apiCalls }, 'check runs published');
    return { created, updated, apiCalls };
  }
}
