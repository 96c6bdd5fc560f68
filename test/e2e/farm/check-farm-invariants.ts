import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { readLedger } from '../../../site/ledger/read-ledger.ts';
import type { Farm } from './farm-harness.ts';

/** What a fault test asserts at quiescence; every count but the totals must be 0. */
export interface FarmInvariants {
  readonly runs: number;
  readonly completedRuns: number;
  readonly ledgerEntries: number;
  /** Runs portfarm dispatched that GitHub completed but the ledger lacks. */
  readonly lost: readonly string[];
  /** Build ids dispatched twice, in the ledger twice, or a port built successfully twice at one revision. */
  readonly duplicated: readonly string[];
  /** The ledger's last line cut by a crash (and never repaired). */
  readonly tornLines: number;
  /** `platform port@sha` a pushed commit touched with no completed build at that or a later revision. */
  readonly unbuilt: readonly string[];
  readonly leftoverVms: readonly string[];
  readonly leftoverRegistrations: readonly string[];
  readonly schemaViolations: number;
  /** Failure mails about a port that did not fail by the plan (an infrastructure failure mailed as a port failure). */
  readonly wrongMails: readonly string[];
  readonly mails: number;
  /**
   * Deliveries GitHub never got a 2xx for, in any attempt: work the controller did not see
   * unless it asks for them again (at its start, or in its 5-minute catch-up sweep). Reported,
   * not asserted (the webhook fault test drops deliveries on purpose); shown on a failure, so
   * an `unbuilt` from a push nobody received reads apart from a build the controller lost.
   */
  readonly unansweredDeliveries: readonly string[];
  /** Deliveries the controller took but whose work is not done (failed, awaiting its retry, or given up): as unseen by `settle`. Reported, not asserted. */
  readonly unprocessedDeliveries: readonly string[];
  /** Every run, for the failure message: `[id] what on platform @sha (conclusion)`, and the pushes in order. */
  readonly timeline: readonly string[];
}

const BUILD_ID = /^\[([a-z0-9-]+)\]/;

export async function checkFarmInvariants(farm: Farm, failingPorts: readonly string[] = []): Promise<FarmInvariants> {
  const runs = farm.double.runs();
  const ledgerCount = new Map<string, number>();
  let tornLines = 0;
  let ledgerEntries = 0;
  if (existsSync(farm.ledgerPath)) {
    for await (const { entry } of readLedger(farm.ledgerPath, { onTornLine: () => { tornLines += 1; } })) {
      ledgerEntries += 1;
      const id = /(?:^|\/)logs\/([a-z0-9-]+)\//.exec(entry.url)?.[1] ?? `(no build id: ${JSON.stringify(entry)})`;
      ledgerCount.set(id, (ledgerCount.get(id) ?? 0) + 1);
    }
  }
  const runsByBuild = new Map<string, number>();
  const lost: string[] = [];
  const duplicated: string[] = [];
  const successes = new Map<string, number>();
  for (const run of runs) {
    const id = BUILD_ID.exec(run.name)?.[1];
    if (id === undefined) continue;
    runsByBuild.set(id, (runsByBuild.get(id) ?? 0) + 1);
    if (run.status === 'completed' && ledgerCount.get(id) === undefined) lost.push(`${run.name} (${run.conclusion ?? 'no conclusion'})`);
    if (run.status === 'completed' && run.conclusion === 'success') {
      // A watcher's work is its list at a revision (a requeued one may list other ports at the same revision).
      const what = run.inputs.portname === '' ? `watcher [${run.inputs.portlist ?? ''}]` : (run.inputs.portname ?? '');
      const key = `${run.inputs.platform ?? ''} ${what}@${run.inputs.ports_sha ?? ''}`;
      successes.set(key, (successes.get(key) ?? 0) + 1);
    }
  }
  for (const [id, n] of runsByBuild) if (n > 1) duplicated.push(`build ${id} dispatched ${n} times`);
  for (const [id, n] of ledgerCount) {
    if (n > 1) duplicated.push(`build ${id} in the ledger ${n} times`);
    if (!runsByBuild.has(id)) duplicated.push(`build ${id} in the ledger but never run on GitHub`);
  }
  for (const [key, n] of successes) if (n > 1) duplicated.push(`${key} built successfully ${n} times`);

  // Every port a commit touched was built (or failed) at that revision or a later one: newer revisions supersede.
  const order = new Map(farm.pushed.map((c, i) => [c.sha, i]));
  const built = new Map<string, number>();
  for (const run of runs) {
    if (run.status !== 'completed' || (run.conclusion !== 'success' && run.conclusion !== 'failure')) continue;
    const port = run.inputs.portname ?? '';
    if (port === '') continue;
    const at = order.get(run.inputs.ports_sha ?? '') ?? -1;
    const key = `${run.inputs.platform ?? ''} ${port}`;
    built.set(key, Math.max(built.get(key) ?? -1, at));
  }
  const unbuilt: string[] = [];
  farm.pushed.forEach((commit, index) => {
    for (const platform of farm.platforms) {
      for (const port of commit.ports) {
        if ((built.get(`${platform.name} ${port}`) ?? -1) < index) unbuilt.push(`${platform.name} ${port}@${commit.sha.slice(0, 8)}`);
      }
    }
  });

  const deliveries = farm.double.deliveries();
  const answered = new Set(deliveries.filter((d) => d.statusCode >= 200 && d.statusCode < 300).map((d) => d.guid));
  const unansweredDeliveries = [
    ...new Map(deliveries.filter((d) => !answered.has(d.guid) && d.status !== 'pending').map((d) => [d.guid, `${d.event}${d.action === null ? '' : `.${d.action}`} ${d.guid} (${d.status})`])).values(),
  ];

  const unprocessed = unprocessedDeliveries(farm.statePath);

  const mails = readFileSync(farm.mailLog, 'utf8').split('\n').filter((l) => l !== '').map((l) => (JSON.parse(l) as { subject: string }).subject);
  const wrongMails = mails.filter((subject) => !failingPorts.some((port) => subject.includes(`] ${port} @`)));
  return {
    runs: runs.length,
    completedRuns: runs.filter((r) => r.status === 'completed').length,
    ledgerEntries,
    lost,
    duplicated,
    tornLines,
    unbuilt,
    leftoverVms: farm.orchard?.vmNames() ?? [],
    leftoverRegistrations: farm.double.runners().map((r) => r.name),
    schemaViolations: farm.double.violations.length,
    wrongMails,
    mails: mails.length,
    unansweredDeliveries,
    unprocessedDeliveries: unprocessed,
    timeline: [
      `pushed: ${farm.pushed.map((c) => `${c.sha.slice(0, 8)} (${c.ports.join(' ')})`).join(', ')}`,
      `deliveries never answered 2xx: ${unansweredDeliveries.length === 0 ? 'none' : unansweredDeliveries.join(', ')}`,
      `deliveries taken but not worked: ${unprocessed.length === 0 ? 'none' : unprocessed.join(', ')}`,
      ...runs.map((r) => `${r.name} @${(r.inputs.ports_sha ?? '').slice(0, 8)} [${r.inputs.portlist ?? ''}] ${r.conclusion ?? r.status}`),
    ],
  };
}

/** The controller's stored deliveries not marked processed, read beside the running controller (WAL allows a reader). */
function unprocessedDeliveries(statePath: string): string[] {
  if (!existsSync(statePath)) return [];
  const db = new DatabaseSync(statePath, { readOnly: true });
  try {
    const rows = db.prepare(`select guid, event, state, error from github_deliveries where state <> 'processed' order by received_at`).all();
    return rows.map((row) => `${String(row.event)} ${String(row.guid)} (${String(row.state)}${row.error === null ? '' : `: ${String(row.error)}`})`);
  } finally {
    db.close();
  }
}

/** Fails with every broken invariant named (and where the farm's files are). */
export function assertFarmInvariants(report: FarmInvariants, where: string): void {
  const broken = {
    lost: report.lost,
    duplicated: report.duplicated,
    tornLines: report.tornLines,
    unbuilt: report.unbuilt,
    leftoverVms: report.leftoverVms,
    leftoverRegistrations: report.leftoverRegistrations,
    schemaViolations: report.schemaViolations,
    wrongMails: report.wrongMails,
  };
  assert.deepEqual(
    broken,
    { lost: [], duplicated: [], tornLines: 0, unbuilt: [], leftoverVms: [], leftoverRegistrations: [], schemaViolations: 0, wrongMails: [] },
    `${where}: invariants broken (runs ${report.runs}, ledger ${report.ledgerEntries})\n${report.timeline.join('\n')}`,
  );
}
