import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BuildNotes } from '../../controller/flows/build-notes.ts';
import { createOnNoRunner } from '../../controller/flows/on-no-runner.ts';
import { captureLog } from '../github/capture-log.ts';
import { dispatchedBuilder } from './dispatched-builder.ts';

test('no runner could be had: the build is the farm\'s failure in phase "runner" and its run is cancelled', async () => {
  const farm = await dispatchedBuilder();
  const notes = new BuildNotes();
  const { log, entries } = captureLog();
  const onNoRunner = createOnNoRunner({ reorder: farm.reorder, notes, gateway: farm.gateway, log, signal: new AbortController().signal });
  onNoRunner({ buildId: farm.buildId, platform: '15_arm64', attempts: 3, reason: 'tart clone: no space left on device', retryable: false });
  await Promise.resolve();
  assert.ok(farm.gateway.calls.includes(`cancel ${String(farm.runId)}`), farm.gateway.calls.join(', '));
  assert.deepEqual(notes.take(farm.buildId), { runnerLost: true, failedPhase: 'runner' });
  assert.deepEqual(entries.map((e) => [e.level, e.reason]), [['error', 'tart clone: no space left on device']]);
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
