import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GitHubError } from '../../controller/github/github-error.ts';
import type { DispatchRequest } from '../../controller/queue/run-gateway.ts';
import { ReorderService } from '../../controller/queue/reorder-service.ts';
import { openStore } from '../../controller/store/open-store.ts';
import { FakeRunGateway } from './fake-run-gateway.ts';
import { SMALL_GRAPH } from './queue-helpers.ts';

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

test('a builder whose dispatch GitHub refused fails without blaming the port: its dependents are not blocked', async () => {
  const db = openStore(':memory:');
  const gateway = new (class extends FakeRunGateway {
    override dispatch(request: DispatchRequest, signal: AbortSignal): Promise<{ readonly runId: number }> {
      if (request.port !== 'zlib') return super.dispatch(request, signal);
      return Promise.reject(new GitHubError('GitHub answered 422: Unexpected inputs provided', { status: 422, method: 'POST', url: '/dispatches', retryable: false }));
    }
  })();
  const reorder = new ReorderService({ db, platforms: ['15_arm64'], gateway, graph: SMALL_GRAPH, idPrefix: 'd' });
  const { buildId: watcher } = reorder.enqueueWatcher({ platform: '15_arm64', portsRevision: 'aaaaaaa1', changedPorts: ['zlib', 'openssl'], force: false, prNumber: null, now: at(0) });
  await reorder.pump(at(1), signal);
  reorder.acceptPortList({ buildId: watcher, platform: '15_arm64', portsRevision: 'aaaaaaa1', ports: ['zlib', 'openssl'], excluded: [] }, at(2));
  reorder.runFinished(watcher, 'success', at(3));
  // zlib is refused and fails; the round goes on to the next build, which a blamed zlib would block.
  const report = await reorder.pump(at(4), signal);
  assert.deepEqual(report.errors.map((e) => /GitHub refused to dispatch .* \(builder zlib on 15_arm64\)/.test(e.error.message)), [true]);
  assert.deepEqual(reorder.blocked()[0]?.blocked, { total: 0, byPort: [] });
  assert.deepEqual(report.dispatched.map((id) => reorder.describeBuild(id)?.port), ['openssl'], 'openssl is dispatched, not held behind the refused zlib');
});
