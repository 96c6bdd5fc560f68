import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GitHubDouble } from '../../test/github-double/github-double.ts';
import type { RunningController } from '../serve/start-controller.ts';
import type { ControllerStats } from '../serve/controller-stats.ts';
import type { CheckRunRecord } from '../../test/github-double/double-records.ts';

/** The demo's figures; `lost`, `duplicated` and the leftovers must be 0. */
export interface DemoSummary {
  readonly commits: number;
  readonly builds: number;
  readonly buildersQueued: number;
  readonly supersededDropped: number;
  readonly watchersCoalesced: number;
  readonly preemptions: number;
  readonly failures: number;
  readonly mailsSent: number;
  readonly checkRuns: number;
  /** Checks the PR author sees per port and platform (GitHub Actions' job checks of ports-pr.yml's builders) and how many failed. */
  readonly prChecks: number;
  readonly prFailures: number;
  /** Those checks: name (`builder 3proxy (15_arm64, PR #…)`), conclusion and the job's log page. */
  readonly prCheckRuns: readonly { readonly name: string; readonly conclusion: string | null; readonly detailsUrl: string | null }[];
  /** Where the PR's list job fetched new distfiles (inside its VM's workspace): never the mirror. */
  readonly quarantine: readonly string[];
  readonly pendingAtEnd: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly leftoverVMs: number;
  readonly leftoverRunners: number;
  readonly apiCalls: number;
  readonly schemaViolations: number;
  readonly site: string;
  /** How to look at the demo's site offline, as GitHub Pages would serve it, and a legacy address to try there. */
  readonly siteServe: string;
  readonly outbox: string;
  readonly logs: string;
  readonly ledger: string;
}

export interface DemoOutcome {
  readonly double: GitHubDouble;
  /** The controller's counters before the restart, and its API calls. */
  readonly first: { readonly stats: Readonly<ControllerStats>; readonly apiCalls: number };
  /** The restarted controller, closed. */
  readonly restarted: RunningController;
  readonly pushed: number;
  readonly leftoverVMs: number;
  readonly mailsSent: number;
  /** The PR's completed checks. */
  readonly prChecks: readonly CheckRunRecord[];
  readonly site: { readonly builds: number; readonly files: number };
  readonly paths: { readonly ledger: string; readonly vms: string; readonly site: string; readonly outbox: string; readonly logs: string };
}

/** `…/logs/<build id>/…` or, relative to the site, `logs/<build id>/…`: the archive names each build's folder by its id. */
const ARCHIVED_ID = /(?:^|\/)logs\/([a-z0-9-]+)\//;

function ledgerUrl(line: string): string {
  const entry: unknown = JSON.parse(line);
  return typeof entry === 'object' && entry !== null && 'url' in entry && typeof entry.url === 'string' ? entry.url : '';
}

/** The build ids of the runs portfarm dispatched that GitHub completed but the ledger lacks (each must be there once). */
export function lostBuilds(double: GitHubDouble, ledgerPath: string): string[] {
  const recorded = new Set(ledgerLines(ledgerPath).map((line) => ARCHIVED_ID.exec(ledgerUrl(line))?.[1]));
  return double.runs().filter((r) => r.status === 'completed').map((r) => /^\[([a-z0-9-]+)\]/.exec(r.name)?.[1]).filter((id): id is string => id !== undefined && !recorded.has(id));
}

/** The figures of a finished demo, from what GitHub (the double), the ledger and the controllers saw. */
export function summarizeDemo(outcome: DemoOutcome): DemoSummary {
  const { double, first, restarted, paths } = outcome;
  const byBuild = new Map<string, number>();
  for (const run of double.runs()) {
    const id = /^\[([a-z0-9-]+)\]/.exec(run.name)?.[1];
    if (id !== undefined) byBuild.set(id, (byBuild.get(id) ?? 0) + 1);
  }
  const pendingAtEnd = restarted.snapshot().queues.reduce((n, q) => n + q.pending.watchers + q.pending.builders + q.pending.pr + q.inFlight, 0);
  const both = (key: 'buildersQueued' | 'supersededDropped' | 'watchersCoalesced' | 'preemptions' | 'failures'): number => first.stats[key] + restarted.stats[key];
  return {
    commits: outcome.pushed,
    builds: ledgerLines(paths.ledger).length,
    // A watcher still running when time is up hands its list to the restarted controller:
    // those builders were queued too (under load, they may be all of them).
    buildersQueued: both('buildersQueued'),
    supersededDropped: both('supersededDropped'),
    watchersCoalesced: both('watchersCoalesced'),
    preemptions: both('preemptions'),
    failures: both('failures'),
    mailsSent: outcome.mailsSent,
    // portfarm's own check runs (one per port and platform on master commits); GitHub Actions' job checks are not counted here.
    checkRuns: double.checkRuns().filter((c) => c.app === 'portfarm').length,
    prChecks: outcome.prChecks.length,
    prFailures: outcome.prChecks.filter((c) => c.conclusion === 'failure').length,
    prCheckRuns: outcome.prChecks.map((c) => ({ name: c.name, conclusion: c.conclusion, detailsUrl: c.detailsUrl })),
    quarantine: readdirSync(paths.vms).map((vm) => join(paths.vms, vm, 'work', 'distfiles-quarantine')).filter((dir) => existsSync(dir)),
    pendingAtEnd,
    // Every run portfarm dispatched that GitHub completed is in the ledger exactly once.
    lost: lostBuilds(double, paths.ledger).length,
    duplicated: [...byBuild.values()].filter((n) => n > 1).length,
    leftoverVMs: outcome.leftoverVMs,
    leftoverRunners: double.runners().length,
    apiCalls: first.apiCalls + restarted.clients.apiCalls(),
    schemaViolations: double.violations.length,
    site: `${paths.site} (${outcome.site.builds} builds, ${outcome.site.files} files)`,
    siteServe: siteServeHint(paths.site, paths.ledger),
    outbox: paths.outbox,
    logs: paths.logs,
    ledger: paths.ledger,
  };
}

function ledgerLines(ledgerPath: string): string[] {
  return readFileSync(ledgerPath, { encoding: 'utf8', flag: 'a+' }).split('\n').filter((l) => l.trim() !== '');
}

/** `site serve` for the demo's site, and the newest build's legacy address to open there (its archived build page and log). */
function siteServeHint(siteDir: string, ledgerPath: string): string {
  const newest = ledgerLines(ledgerPath).at(-1);
  const entry: unknown = newest === undefined ? null : JSON.parse(newest);
  const legacy =
    typeof entry === 'object' && entry !== null && 'builder' in entry && 'number' in entry && typeof entry.builder === 'string' && typeof entry.number === 'number'
      ? `/builders/${entry.builder}/builds/${String(entry.number)}`
      : '/';
  return `npx portfarm site serve --dir ${siteDir}   then open http://127.0.0.1:8000${legacy}`;
}
