import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BuildNotes } from '../../controller/flows/build-notes.ts';
import { NoRunnerCancels } from '../../controller/flows/no-runner-cancels.ts';
import { createOnNoRunner } from '../../controller/flows/on-no-runner.ts';
import { captureLog } from '../github/capture-log.ts';
import { dispatchedBuilder } from './dispatched-builder.ts';

test('no runner could be had: the build is the farm\'s failure in phase "runner" and its run is cancelled', async () => {
  const farm = await dispatchedBuilder();
  const notes = new BuildNotes();
  const { log, entries } = captureLog();
  const cancels = new NoRunnerCancels({ gateway: farm.gateway, reorder: farm.reorder, log });
  const onNoRunner = createOnNoRunner({ reorder: farm.reorder, notes, cancels, log, signal: new AbortController().signal });
  onNoRunner({ buildId: farm.buildId, platform: '15_arm64', attempts: 3, reason: 'tart clone: no space left on device', retryable: false });
  await Promise.resolve();
  assert.ok(farm.gateway.calls.includes(`cancel ${String(farm.runId)}`), farm.gateway.calls.join(', '));
  assert.deepEqual(notes.take(farm.buildId), { runnerLost: true, failedPhase: 'runner' });
  assert.deepEqual(entries.map((e) => [e.level, e.reason]), [['error', 'tart clone: no space left on device']]);
  farm.db.close();
});

test('a cancel GitHub does not take (a rate limit) is asked again by the next sweep, not left for GitHub\'s 24-hour queue limit; a finished build\'s is dropped', async () => {
  const farm = await dispatchedBuilder();
  const { log, entries } = captureLog();
  let refuse = true;
  const gateway = {
    cancel: (runId: number, s: AbortSignal) => {
      if (refuse) return Promise.reject(new Error('GitHub answered 403: You have exceeded a secondary rate limit'));
      return farm.gateway.cancel(runId, s);
    },
  };
  const cancels = new NoRunnerCancels({ gateway, reorder: farm.reorder, log });
  const signal = new AbortController().signal;
  await cancels.cancel(farm.buildId, farm.runId, signal);
  assert.deepEqual(cancels.pending(), [{ buildId: farm.buildId, runId: farm.runId }]);
  assert.deepEqual(entries.map((e) => [e.level, e.msg]), [['warn', 'cancelling the run of a build without a runner failed; the next sweep asks again']]);
  await cancels.retry(signal);
  assert.equal(cancels.pending().length, 1, 'still refused: kept');
  refuse = false;
  await cancels.retry(signal);
  assert.deepEqual(cancels.pending(), []);
  assert.ok(farm.gateway.calls.includes(`cancel ${String(farm.runId)}`), farm.gateway.calls.join(', '));
  // A build settled meanwhile (its run completed) needs no cancel: it is dropped without asking.
  refuse = true;
  await cancels.cancel(farm.buildId, farm.runId, signal);
  farm.reorder.runFinished(farm.buildId, 'success', new Date());
  const asked = farm.gateway.calls.length;
  await cancels.retry(signal);
  assert.deepEqual([cancels.pending(), farm.gateway.calls.length], [[], asked]);
  farm.db.close();
});

test('a lost runner without a noted phase is recorded as runner-lost', () => {
  const notes = new BuildNotes();
  notes.noteRunnerLost('b1');
  notes.noteFailedPhase('b2', 'fetch');
  notes.noteRunnerLost('b2');
  assert.deepEqual(notes.take('b1'), { runnerLost: true, failedPhase: 'runner-lost' });
  assert.deepEqual(notes.take('b2'), { runnerLost: true, failedPhase: 'runner-lost' }, 'a lost runner outweighs a step: the port is not blamed');
});
