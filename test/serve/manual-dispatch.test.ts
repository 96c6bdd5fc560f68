import assert from 'node:assert/strict';
import type { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { BuildNotes } from '../../controller/flows/build-notes.ts';
import { createOnWorkflowRun } from '../../controller/flows/on-workflow-run.ts';
import type { WorkflowRunEvent } from '../../controller/github/farm-events.ts';
import { ReorderService } from '../../controller/queue/reorder-service.ts';
import { openStore } from '../../controller/store/open-store.ts';
import { captureLog } from '../github/capture-log.ts';
import { FakeRunGateway } from '../queue/fake-run-gateway.ts';

const signal = new AbortController().signal;
const at = new Date('2026-11-26T08:00:00Z');

function setup(): { db: DatabaseSync; gateway: FakeRunGateway; events: { onWorkflowRun: ReturnType<typeof createOnWorkflowRun> }; entries: Record<string, unknown>[]; kicks: () => number } {
  const db = openStore(':memory:');
  const gateway = new FakeRunGateway();
  const reorder = new ReorderService({ db, platforms: ['15_arm64'], gateway, graph: null, idPrefix: 'm' });
  const { log, entries } = captureLog();
  let kicked = 0;
  const onWorkflowRun = createOnWorkflowRun({
    reorder,
    notes: new BuildNotes(),
    explainFailedRun: () => Promise.reject(new Error('a manual run is never explained')),
    kick: () => { kicked += 1; },
    log,
    onFinished: () => Promise.resolve(),
  });
  const events = { onWorkflowRun };
  return { db, gateway, events, entries, kicks: () => kicked };
}

const manual = (title: string, headSha = '70b44a41bbbb627007b18ae0551cddb24c009bf2'): WorkflowRunEvent => ({
  deliveryId: 'd-1', buildId: null, title, headSha, runId: 77, action: 'requested', status: 'queued', conclusion: null, at,
  identity: { runId: 77, runAttempt: 1, repositoryId: 1, repository: 'macports/macports-ports', path: '.github/workflows/ports.yml', event: 'workflow_dispatch', headBranch: 'master', headSha, triggeringActor: 'maintainer', actor: 'maintainer' },
});

const queue = (db: DatabaseSync): unknown[] => db.prepare('select * from queue_entry').all();

test('manual dispatch: a full rebuild on a platform this farm does not build, or at a bad revision, is logged with the reason; the queue is unchanged', async () => {
  const { db, gateway, events, entries, kicks } = setup();
  await events.onWorkflowRun(manual('manual: watcher (full rebuild) on 26_arm64'), signal);
  await events.onWorkflowRun(manual('manual: watcher (full rebuild) on 15_arm64', 'not-a-sha'), signal);
  assert.deepEqual(queue(db), []);
  assert.deepEqual(gateway.calls, []);
  assert.equal(kicks(), 0);
  assert.deepEqual(entries.map((e) => [e.level, e.msg, e.platform, e.reason]), [
    ['warn', 'full rebuild refused, queue unchanged', '26_arm64', 'platform "26_arm64" is not configured; known: 15_arm64 (see portfarm.config.yaml)'],
    ['warn', 'full rebuild refused, queue unchanged', '15_arm64', 'watcher request refused, queue unchanged: portsRevision must be a git commit sha'],
  ]);
});

test('manual dispatch: a run without force does nothing and says how to ask for a full rebuild; a forced one is queued once', async () => {
  const { db, events, entries } = setup();
  await events.onWorkflowRun(manual('manual: watcher on 15_arm64'), signal);
  await events.onWorkflowRun(manual('manual: curl on 15_arm64'), signal);
  assert.deepEqual(queue(db), []);
  assert.deepEqual(entries.map((e) => [e.level, e.title, e.msg]), [
    ['info', 'manual: watcher on 15_arm64', 'manual run does nothing: the controller queues every build itself; tick force in the Actions form for a full rebuild'],
    ['info', 'manual: curl on 15_arm64', 'manual run does nothing: the controller queues every build itself; tick force in the Actions form for a full rebuild'],
  ]);
  await events.onWorkflowRun(manual('manual: watcher (full rebuild) on 15_arm64'), signal);
  await events.onWorkflowRun({ ...manual('manual: watcher (full rebuild) on 15_arm64'), action: 'completed', conclusion: 'skipped' }, signal);
  assert.equal(queue(db).length, 1);
});
