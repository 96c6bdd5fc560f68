import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { handoffSettings } from '../../controller/handoff/handoff-settings.ts';
import { REPOSITORY_ID, startTokenIssuer } from '../handoff/issue-tokens.ts';
import { startServeHarness, type ServeHarness } from '../serve/serve-harness.ts';

export const REV0 = '0'.repeat(40);
/** The commit the watcher was dispatched for. */
export const REV1 = 'a1'.repeat(20);
/** A commit nobody pushed to the default branch (a PR head, say). */
export const EVIL_REV = 'e5'.repeat(20);

export interface WatcherRow {
  readonly buildId: string;
  readonly runId: number | null;
  readonly portsRevision: string;
}

export interface HandoffAnswer {
  readonly status: number;
  readonly body: { readonly error?: string; readonly retryable?: boolean; readonly claim?: string; readonly expected?: string; readonly builders?: number };
}

/**
 * `portfarm serve` on loopback (GitHub double, fake VMs) whose hand-off trusts a local OIDC
 * issuer, after one push of net/curl at REV1: its watcher is queued (and dispatched, with a
 * recorded run id, unless `paused`). Attack tests POST to the real `/api/port-list`.
 */
export async function startHandoffFarm(options: { readonly paused?: boolean } = {}) {
  const issuer = await startTokenIssuer();
  let h: ServeHarness;
  try {
    h = await startServeHarness({
      options: {
        handoff: handoffSettings({ repository: 'macports/macports-ports', repositoryId: REPOSITORY_ID, issuer: issuer.issuer, jwksUrl: issuer.jwksUrl }),
        ...(options.paused === true ? { paused: true } : {}),
      },
    });
  } catch (error) {
    await issuer.close();
    throw error;
  }
  const harness = h;
  const rows = (sql: string): Record<string, unknown>[] => {
    const db = new DatabaseSync(join(harness.stateDir, 'portfarm.sqlite'), { readOnly: true });
    try {
      return db.prepare(sql).all();
    } finally {
      db.close();
    }
  };
  const watcherRow = (): WatcherRow | undefined => {
    const [row] = rows(`select build_id, run_id, ports_revision from queue_entry where kind = 'watcher' order by rowid`);
    return row === undefined ? undefined : { buildId: String(row.build_id), runId: row.run_id === null ? null : Number(row.run_id), portsRevision: String(row.ports_revision) };
  };
  const close = async (): Promise<void> => {
    try {
      await harness.close();
    } finally {
      await issuer.close();
    }
  };
  let watcher: WatcherRow;
  try {
    harness.double.push({
      ref: 'refs/heads/master',
      before: REV0,
      after: REV1,
      commits: [{ id: REV1, message: 'curl: update', timestamp: '2026-11-26T08:00:00Z', added: [], removed: [], modified: ['net/curl/Portfile'] }],
    });
    await harness.double.deliveriesSettled();
    let row = watcherRow();
    for (let waited = 0; (row === undefined || (options.paused !== true && row.runId === null)) && waited < 15_000; waited += 25) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      row = watcherRow();
    }
    assert.ok(row !== undefined && (options.paused === true || row.runId !== null), `the watcher of REV1 is queued${options.paused === true ? '' : ' and its run recorded'}: ${JSON.stringify(row)}`);
    watcher = row;
  } catch (error) {
    await close();
    throw error;
  }

  return {
    harness,
    issuer,
    watcher,
    /** A watcher's list of the run's own build and revision; override any field. */
    list: (overrides: Record<string, unknown> = {}) => ({ buildId: watcher.buildId, platform: '15_arm64', portsRevision: watcher.portsRevision, ports: ['curl'], excluded: [], ...overrides }),
    /** A token of the watcher's run (the issuer's ports.yml claims), with `claims` changed; `undefined` deletes a claim. */
    token: (claims: Readonly<Record<string, string | undefined>> = {}) => issuer.issue({ claims: { run_id: String(watcher.runId ?? 0), ...claims } }),
    async post(body: unknown, token: string): Promise<HandoffAnswer> {
      const response = await fetch(`${harness.controller.url}/api/port-list`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as HandoffAnswer['body'] };
    },
    /** What a hand-off changes: builders queued, the watcher's list taken, runs dispatched. */
    queueState: () => JSON.stringify({
      builders: rows(`select build_id, port, ports_revision from queue_entry where kind <> 'watcher' order by rowid`),
      listsAccepted: rows(`select build_id from queue_entry where list_accepted = 1`),
      runs: harness.double.runs().length,
    }),
    rejected: (reason: string) => harness.controller.rejections.count(reason),
    /** The controller's log lines for refused events of this reason. */
    refusalLogs: (reason: string) => harness.logs.filter((line) => line.msg === `event rejected: ${reason}`),
    close,
  };
}

export type HandoffFarm = Awaited<ReturnType<typeof startHandoffFarm>>;
