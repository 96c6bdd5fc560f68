import type { DatabaseSync } from 'node:sqlite';
import type { CheckRunState } from '../../controller/github/check-run-publisher.ts';
import { ReorderService } from '../../controller/queue/reorder-service.ts';
import { openStore } from '../../controller/store/open-store.ts';
import { FakeRunGateway } from '../queue/fake-run-gateway.ts';

export const REV = 'aaaaaaa1';
export const at = (minute: number): Date => new Date(Date.UTC(2026, 11, 3, 10, minute));

export interface DispatchedBuilder {
  readonly db: DatabaseSync;
  readonly gateway: FakeRunGateway;
  readonly reorder: ReorderService;
  /** The builder of curl, dispatched (its run exists on the fake GitHub). */
  readonly buildId: string;
  readonly runId: number;
  /** Builds of curl waiting in the queue. */
  pendingCurl(): number;
}

/** A queue whose watcher listed curl and whose curl builder was dispatched, as the flows find it. */
export async function dispatchedBuilder(): Promise<DispatchedBuilder> {
  const signal = new AbortController().signal;
  const db = openStore(':memory:');
  const gateway = new FakeRunGateway();
  const reorder = new ReorderService({ db, platforms: ['15_arm64'], gateway, graph: null, idPrefix: 'fl' });
  const { buildId: watcher } = reorder.enqueueWatcher({ platform: '15_arm64', portsRevision: REV, previousRevision: null, changedPorts: ['curl'], force: false, prNumber: null, now: at(0) });
  await reorder.pump(at(1), signal);
  reorder.acceptPortList({ buildId: watcher, platform: '15_arm64', portsRevision: REV, ports: ['curl'], excluded: [] }, at(2));
  gateway.advance(watcher, 'completed', 'success');
  reorder.runFinished(watcher, 'success', at(3));
  reorder.recorded(watcher);
  await reorder.pump(at(4), signal);
  const builder = reorder.inFlight().find((e) => e.port === 'curl');
  if (builder?.runId === null || builder?.runId === undefined) throw new Error(`curl's builder was not dispatched: ${JSON.stringify(reorder.inFlight())}`);
  return {
    db,
    gateway,
    reorder,
    buildId: builder.buildId,
    runId: builder.runId,
    pendingCurl: () => db.prepare("select count(*) as n from queue_entry where port = 'curl' and state = 'pending'").get()?.n as number,
  };
}

/** A check-run publisher that keeps what it is given (GitHub is not asked). */
export function recordingPublisher(): { readonly checks: CheckRunState[]; update(check: CheckRunState): void; flush(): Promise<{ created: number; updated: number; apiCalls: number }> } {
  const checks: CheckRunState[] = [];
  return {
    checks,
    update: (check) => { checks.push(check); },
    flush: () => Promise.resolve({ created: 0, updated: 0, apiCalls: 0 }),
  };
}
