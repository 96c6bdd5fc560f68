import type { CheckConclusion, CheckRunState } from './check-run-publisher.ts';

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
  /** Queued checks: where it stands and when it is expected (describeEta), as of `at`. */
  readonly eta?: string;
  /** Queued and held: this failed dependency must build first (no VM until it does). */
  readonly blockedBy?: string;
  readonly at: Date;
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

/** What identifies a port's check run on its commit across rebuilds and controller restarts. */
export function portCheckExternalId(port: string, platform: string): string {
  return `${platform}/${port}`;
}

/** Title and Markdown summary of a port check (port, version, platform, duration, failing phase). */
export function checkOutput(check: PortCheck): { title: string; summary: string } {
  const title =
    check.status === 'queued'
      ? check.blockedBy !== undefined
        ? `blocked: waiting for ${check.blockedBy} to build on ${check.platform}`
        : check.eta === undefined ? `${check.port} queued on ${check.platform}` : `${check.port} ${check.eta}`
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
    ...(check.status === 'queued' && check.eta !== undefined ? ['', `Estimate as of ${check.at.toISOString().slice(11, 16)} UTC: ${check.eta}. Live: \`portfarm eta ${check.port} --platform ${check.platform}\`.`] : []),
  ].join('\n');
  return { title, summary };
}

/**
 * The check run a port's state is published as. `createIfMissing: false` updates the port's
 * run when the commit has one and makes none otherwise (a build the controller no longer knows
 * the list of, after a restart: it may belong to a forced rebuild, which has no run per port).
 */
export function portCheckRun(check: PortCheck, createIfMissing = true): CheckRunState {
  return {
    headSha: check.headSha,
    externalId: portCheckExternalId(check.port, check.platform),
    name: checkName(check.port, check.platform),
    status: check.status,
    ...(check.conclusion === undefined ? {} : { conclusion: check.conclusion }),
    ...(check.detailsUrl === undefined ? {} : { detailsUrl: check.detailsUrl }),
    output: checkOutput(check),
    at: check.at,
    ...(createIfMissing ? {} : { createIfMissing }),
  };
}
