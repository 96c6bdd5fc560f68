import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GitHubError } from '../../controller/github/github-error.ts';
import type { DispatchRequest } from '../../controller/queue/run-gateway.ts';
import { ReorderService } from '../../controller/queue/reorder-service.ts';
import { openStore } from '../../controller/store/open-store.ts';
import { FakeRunGateway } from './fake-run-gateway.ts';

/** GitHub refusing the dispatch inputs, as it does for a platform not among ports.yml's choices. */
class RefusingGateway extends FakeRunGateway {
  override dispatch(request: DispatchRequest, signal: AbortSignal): Promise<{ readonly runId: number }> {
    if (request.platform !== '14_x86_64') return super.dispatch(request, signal);
    this.calls.push(`dispatch ${request.buildId}`);
    return Promise.reject(
      new GitHubError(`dispatching ${request.buildId}: GitHub answered 422: Provided value '14_x86_64' for input 'platform' not in the list of allowed values`, {
        status: 422, method: 'POST', url: '/repos/macports/macports-ports/actions/workflows/ports.yml/dispatches', retryable: false,
      }),
    );
  }
}

const at = (minute: number): Date => new Date(Date.UTC(2026, 10, 26, 8, minute));
const signal = new AbortController().signal;

test('dispatch inputs GitHub refuses (4xx) fail that build once, with the reason; it is not requeued and dispatched again forever', async () => {
  const db = openStore(':memory:');
  const gateway = new RefusingGateway();
  const reorder = new ReorderService({ db, platforms: ['15_arm64', '14_x86_64'], gateway, graph: null, idPrefix: 'r' });
  for (const platform of ['14_x86_64', '15_arm64']) {
    reorder.enqueueWatcher({ platform, portsRevision: 'aaaaaaa1', changedPorts: ['curl'], force: false, prNumber: null, now: at(0) });
  }
  const first = await reorder.pump(at(1), signal);
  assert.deepEqual(first.dispatched, ['r-2']);
  assert.deepEqual(first.errors.map((e) => [e.buildId, e.error.message]), [
    ['r-1', "GitHub refused to dispatch r-1 (watcher on 14_x86_64), so it fails without a run: dispatching r-1: GitHub answered 422: Provided value '14_x86_64' for input 'platform' not in the list of allowed values; check ports.yml's inputs against the config"],
  ]);
  // What the controller does after a failed dispatch, then the next rounds: nothing more for 14_x86_64.
  await reorder.reconcile(at(2), signal);
  await reorder.pump(at(3), signal);
  await reorder.reconcile(at(4), signal);
  await reorder.pump(at(5), signal);
  assert.deepEqual(gateway.calls.filter((c) => c.startsWith('dispatch')).sort(), ['dispatch r-1', 'dispatch r-2']);
  assert.deepEqual(db.prepare("select build_id, state, result from queue_entry where platform = '14_x86_64'").all().map((r) => ({ ...r })), [
    { build_id: 'r-1', state: 'finished', result: 'failure' },
  ]);
});
