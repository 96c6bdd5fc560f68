import type { Logger } from 'pino';
import type { GitHubClients } from './create-github-clients.ts';
import { toGitHubError } from './github-error.ts';
import { withSignal } from './with-signal.ts';

export type CheckConclusion = 'success' | 'failure' | 'cancelled' | 'skipped' | 'neutral' | 'timed_out';

/** The state of one port on one platform for one commit, as the farm knows it. */
export interface PortCheck {
  readonly headSha: string;
  readonly port: string;
  readonly platform: string;
  readonly status: 'queued' | 'in_progress' | 'completed';
  readonly conclusion?: CheckConclusion;
  readonly version?: string;
  readonly durationMs?: number;
  /** The mpbb step that failed (`install-dependencies`, `install-port`, …). */
  readonly failingPhase?: string;
  /** The stable log URL from the site. */
  readonly detailsUrl?: string;
  readonly at: Date;
}

export interface FlushResult {
  readonly created: number;
  readonly updated: number;
  /** REST calls this flush made (list + create + update). */
  readonly apiCalls: number;
}

function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return '—';
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
}

/** The check run's name on the commit: one per port and platform. */
export function checkName(port: string, platform: string): string {
  return `${port} (${platform})`;
}

/** Title and Markdown summary of a port check (port, version, platform, duration, failing phase). */
export function checkOutput(check: PortCheck): { title: string; summary: string } {
  const title =
    check.status === 'queued'
      ? `${check.port} queued on ${check.platform}`
      : check.status === 'in_progress'
        ? `building ${check.port} on ${check.platform}`
        : check.conclusion === 'success'
          ? `${check.port} ${check.version ?? ''} built on ${check.platform}`.replace('  ', ' ')
          : check.conclusion === 'failure'
            ? `${check.port} failed${check.failingPhase === undefined ? '' : ` in ${check.failingPhase}`} on ${check.platform}`
            : `${check.port} ${check.conclusion ?? 'finished'} on ${check.platform}`;
  const summary = [
    '| Port | Version | Platform | Duration | Failing phase |',
    '| --- | --- | --- | --- | --- |',
    `| ${check.port} | ${check.version ?? '—'} | ${check.platform} | ${formatDuration(check.durationMs)} | ${check.failingPhase ?? '—'} |`,
  ].join('\n');
  return { title, summary };
}

/**
 * Publishes one check run per port × platform on a commit (and PR head): `queued` when a
 * watcher lists the port, `in_progress` when its builder starts, `completed` with conclusion
 * and summary. Updates are batched: `update` only records the newest state per check, and
 * `flush` sends one request per changed check (a check that went queued → completed between
 * flushes costs one call). The first flush for a commit lists the commit's check runs once,
 * so a forced rebuild or a restarted controller updates the same checks instead of adding new ones.
 */
export class CheckRunPublisher {
  readonly #clients: GitHubClients;
  readonly #log: Logger;
  readonly #pending = new Map<string, PortCheck>();
  /** `<sha>\t<external id>` → check run id. */
  readonly #ids = new Map<string, number>();
  readonly #knownShas = new Set<string>();
  #flushing: Promise<FlushResult> | undefined;

  constructor(options: { readonly clients: GitHubClients; readonly log: Logger }) {
    this.#clients = options.clients;
    this.#log = options.log;
  }

  /** Records the newest state of a check; nothing is sent until `flush`. */
  update(check: PortCheck): void {
    this.#pending.set(`${check.headSha}\t${check.platform}/${check.port}`, check);
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
    const { installation: octokit, owner, repo } = this.#clients;
    const batch = [...this.#pending.entries()];
    this.#pending.clear();
    let created = 0;
    let updated = 0;
    let apiCalls = 0;
    for (const sha of new Set(batch.map(([, c]) => c.headSha))) {
      if (this.#knownShas.has(sha)) continue;
      try {
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
      const externalId = `${check.platform}/${check.port}`;
      const output = checkOutput(check);
      const completed = check.status === 'completed';
      const fields = {
        owner,
        repo,
        status: check.status,
        external_id: externalId,
        output,
        ...(check.detailsUrl === undefined ? {} : { details_url: check.detailsUrl }),
        ...(check.status === 'in_progress' ? { started_at: check.at.toISOString() } : {}),
        ...(completed ? { conclusion: check.conclusion ?? 'neutral', completed_at: check.at.toISOString() } : {}),
        request: { signal },
      };
      const id = this.#ids.get(key);
      try {
        apiCalls += 1;
        if (id === undefined) {
          const { data } = await octokit.rest.checks.create({ ...fields, name: checkName(check.port, check.platform), head_sha: check.headSha });
          this.#ids.set(key, data.id);
          created += 1;
        } else {
          await octokit.rest.checks.update({ ...fields, check_run_id: id });
          updated += 1;
        }
      } catch (err) {
        // Keep what was not sent (unless a newer state arrived meanwhile) for the next flush.
        for (const [k, c] of batch.slice(i)) if (!this.#pending.has(k)) this.#pending.set(k, c);
        throw toGitHubError(err, `publishing check ${checkName(check.port, check.platform)} on ${check.headSha}`);
      }
    }
    if (batch.length > 0) this.#log.debug({ created, updated, apiCalls }, 'check runs published');
    return { created, updated, apiCalls };
  }
}
