import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { BuildNotes } from '../../controller/flows/build-notes.ts';
import { CheckPublishing } from '../../controller/flows/check-publishing.ts';
import { createOnBuildFinished } from '../../controller/flows/on-build-finished.ts';
import { createOnWorkflowRun } from '../../controller/flows/on-workflow-run.ts';
import type { FailedRunCause } from '../../controller/github/explain-failed-run.ts';
import type { WorkflowRunEvent } from '../../controller/github/farm-events.ts';
import type { FailureMail } from '../../controller/mail/build-failure-mail.ts';
import { CANCELLED_BY_OTHERS, MAX_CANCEL_RETRIES } from '../../controller/queue/reorder-service.ts';
import { emptyStats } from '../../controller/serve/controller-stats.ts';
import { RecentFailures } from '../../controller/serve/recent-failures.ts';
import { captureLog } from '../github/capture-log.ts';
import { at, dispatchedBuilder, recordingPublisher } from './dispatched-builder.ts';

const signal = new AbortController().signal;

/** The run-changed flow wired to the build-finished flow as the controller wires them, on a temporary ledger. */
async function setup(cause: FailedRunCause) {
  const farm = await dispatchedBuilder();
  const dir = mkdtempSync(join(tmpdir(), 'portfarm-run-changed-'));
  const { log, entries } = captureLog();
  const mails: FailureMail[] = [];
  const explained: number[] = [];
  const notes = new BuildNotes();
  const publisher = recordingPublisher();
  const stats = emptyStats();
  const onFinished = createOnBuildFinished({
    reorder: farm.reorder,
    notes,
    checks: new CheckPublishing({ publisher, reorder: farm.reorder, versionOf: () => '8.11.0', now: () => at(30) }),
    stats,
    failures: new RecentFailures(),
    record: {
      ledgerPath: join(dir, 'ledger.ndjson'),
      siteBaseUrl: 'https://build.example.org',
      maintainersOf: () => ['curl-maintainer@example.org'],
      versionOf: () => '8.11.0',
      mail: { send: (mail) => { mails.push(mail); return Promise.resolve({ messageId: 'm-1', accepted: [...mail.to], rejected: [] }); }, settings: { from: 'farm@example.org', buildsList: [] } },
      log,
    },
  });
  let kicks = 0;
  const onWorkflowRun = createOnWorkflowRun({
    reorder: farm.reorder,
    notes,
    explainFailedRun: (runId) => { explained.push(runId); return Promise.resolve(cause); },
    onFinished,
    kick: () => { kicks += 1; },
    log,
  });
  const failed = (): WorkflowRunEvent => ({ deliveryId: 'd-7', buildId: farm.buildId, title: `[${farm.buildId}] curl on 15_arm64`, headSha: 'aaaaaaa1', runId: farm.runId, action: 'completed', status: 'completed', conclusion: 'failure', at: at(20),
    identity: { runId: farm.runId, runAttempt: 1, repositoryId: 1, repository: 'macports/macports-ports', path: '.github/workflows/ports.yml', event: 'workflow_dispatch', headBranch: 'master', headSha: 'aaaaaaa1', triggeringActor: 'portfarm[bot]', actor: 'portfarm[bot]' },
  });
  const ledger = (): Record<string, unknown>[] => readFileSync(join(dir, 'ledger.ndjson'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
  return { farm, onWorkflowRun, notes, failed, mails, explained, entries, publisher, stats, ledger, kicks: () => kicks, [Symbol.dispose]: () => { rmSync(dir, { recursive: true, force: true }); farm.db.close(); } };
}

test('a failed run whose runner was lost: the build is queued again, recorded as the farm\'s failure, nobody is mailed', async () => {
  using s = await setup({ kind: 'runner-lost' });
  assert.equal(s.farm.pendingCurl(), 0);
  await s.onWorkflowRun(s.failed(), signal);
  assert.deepEqual(s.explained, [s.farm.runId], 'GitHub is asked why the run failed');
  assert.equal(s.farm.pendingCurl(), 1, 'curl is queued again under a new id');
  assert.deepEqual(s.mails, [], 'the port\'s maintainers are not mailed for a lost runner');
  assert.equal(s.stats.mailsSent, 0);
  assert.deepEqual(s.ledger().map((e) => [e.result, (e.steps as { name: string }[])[0]?.name]), [['failure', 'runner-lost']]);
  assert.deepEqual(s.publisher.checks.map((c) => [c.name, c.status, c.conclusion, c.output.title]), [['curl (15_arm64)', 'completed', 'failure', 'curl failed in runner-lost on 15_arm64']]);
  assert.ok(s.entries.some((e) => e.level === 'warn' && e.buildId === s.farm.buildId && String(e.msg).includes('runner was lost')));
  assert.equal(s.kicks(), 1);
});

test('a failed run whose step failed: the port\'s failure, mailed once with the phase; not queued again; a repeat changes nothing', async () => {
  using s = await setup({ kind: 'step', phase: 'install-port' });
  await s.onWorkflowRun(s.failed(), signal);
  await s.onWorkflowRun(s.failed(), signal);
  assert.equal(s.farm.pendingCurl(), 0);
  assert.deepEqual(s.mails.map((m) => m.to), [['curl-maintainer@example.org']]);
  assert.deepEqual(s.ledger().map((e) => [e.result, (e.steps as { name: string }[])[0]?.name]), [['failure', 'install-port']]);
  assert.deepEqual(s.explained, [s.farm.runId], 'the repeat of a finished build is not explained again');
  assert.equal(s.stats.finished, 1);
});

test('a failed run whose job event already named the failed step is not explained again', async () => {
  using s = await setup({ kind: 'runner-lost' });
  s.notes.noteFailedPhase(s.farm.buildId, 'fetch');
  await s.onWorkflowRun(s.failed(), signal);
  assert.deepEqual(s.explained, []);
  assert.equal(s.farm.pendingCurl(), 0);
  assert.equal(s.mails.length, 1);
});

test('a run someone else cancelled: queued again, each cancel recorded as cancelled; the fourth fails the build as cancelled-by-others, nobody mailed', async () => {
  using s = await setup({ kind: 'runner-lost' });
  let id = s.farm.buildId;
  for (let cancel = 0; cancel <= MAX_CANCEL_RETRIES; cancel += 1) {
    s.farm.gateway.advance(id, 'completed', 'cancelled');
    await s.onWorkflowRun({ ...s.failed(), buildId: id, title: `[${id}] curl on 15_arm64`, conclusion: 'cancelled' }, signal);
    await s.farm.reorder.pump(at(21 + cancel), signal);
    id = s.farm.reorder.inFlight()[0]?.buildId ?? id;
  }
  assert.deepEqual(s.explained, [], 'a cancel is not a failure to explain');
  assert.equal(s.farm.pendingCurl(), 0);
  assert.deepEqual(s.ledger().map((e) => [e.result, (e.steps as { name: string }[])[0]?.name]), [
    ...Array.from({ length: MAX_CANCEL_RETRIES }, () => ['cancelled', 'job']),
    ['failure', CANCELLED_BY_OTHERS],
  ]);
  assert.deepEqual(s.publisher.checks.at(-1)?.output.title, `curl failed in ${CANCELLED_BY_OTHERS} on 15_arm64`);
  assert.deepEqual(s.mails, [], 'not the port\'s failure');
});

test('a run the round preempted and requeued before its completion arrived is still recorded, as cancelled, once', async () => {
  using s = await setup({ kind: 'runner-lost' });
  s.farm.reorder.enqueueWatcher({ platform: '15_arm64', portsRevision: 'bbbbbbb2', previousRevision: null, changedPorts: ['zlib'], force: false, prNumber: null, now: at(21) });
  const first = await s.farm.reorder.pump(at(22), signal);
  await s.farm.reorder.cancelsSettled();
  const second = await s.farm.reorder.pump(at(23), signal);
  assert.deepEqual([...first.preempted, ...second.preempted].map((p) => p.buildId), [s.farm.buildId], 'a round took the cancel and requeued curl');
  const completed = { ...s.failed(), conclusion: 'cancelled' };
  await s.onWorkflowRun(completed, signal);
  await s.onWorkflowRun(completed, signal);
  assert.deepEqual(s.ledger().map((e) => [e.url, e.result]), [[`https://build.example.org/logs/${s.farm.buildId}/`, 'cancelled']]);
  assert.deepEqual(s.farm.reorder.unrecorded(), []);
  assert.equal(s.farm.pendingCurl(), 1, 'curl waits to be built again');
});
