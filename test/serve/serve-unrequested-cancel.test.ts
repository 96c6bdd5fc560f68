import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PushSpec } from '../github-double/github-objects.ts';
import { waitFor } from '../runners/runner-farm.ts';
import { startServeHarness } from './serve-harness.ts';

const [REV0, REV1] = ['0', '1'].map((c) => c.repeat(40)) as [string, string];

const push: PushSpec = {
  ref: 'refs/heads/master',
  before: REV0,
  after: REV1,
  commits: [{ id: REV1, message: 'update curl', timestamp: '2026-11-26T08:00:00Z', added: [], removed: [], modified: ['net/curl/Portfile'] }],
};

test('serve: a run a person cancels on GitHub is queued again, not finished as if it had built', async () => {
  // VMs take a minute to boot: the watcher's job stays queued until the person presses Cancel.
  const h = await startServeHarness({ backendOptions: { bootMs: 60_000 } });
  try {
    h.double.push(push);
    const first = await h.double.waitForRun((r) => r.workflowFile === 'ports.yml' && r.status !== 'pending', AbortSignal.timeout(20_000));
    const { owner, repo } = h.double;
    await h.controller.clients.installation.rest.actions.cancelWorkflowRun({ owner, repo, run_id: first.id });
    // Bounded: without the requeue no second run ever comes.
    const second = await h.double.waitForRun((r) => r.workflowFile === 'ports.yml' && r.id !== first.id, AbortSignal.timeout(20_000));
    assert.equal(first.conclusion, 'cancelled');
    assert.equal(second.inputs.platform, first.inputs.platform);
    assert.equal(second.inputs.portname ?? '', first.inputs.portname ?? '', 'the same build (the watcher), under a new id');
    assert.notEqual(second.inputs.build_id, first.inputs.build_id);
    await waitFor(() => h.logs.some((l) => l.msg === 'watcher queued'), 'watcher queued');
    h.double.assertNoViolations();
  } finally {
    await h.close();
  }
});
