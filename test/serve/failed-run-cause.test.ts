import assert from 'node:assert/strict';
import { test } from 'node:test';
import { failedRunCause } from '../../controller/github/explain-failed-run.ts';

test('a failed step names the phase; a failed job with no failed step lost its runner', () => {
  const step = (number: number, name: string, conclusion: string | null) => ({ number, name, conclusion });
  assert.deepEqual(failedRunCause([{ conclusion: 'failure', steps: [step(1, 'Set up job', 'success'), step(2, 'builder: install port', 'failure'), step(3, 'Complete job', 'skipped')] }]), { kind: 'step', phase: 'install-port' });
  // GitHub after "The self-hosted runner lost communication with the server": the job failed, no step did.
  assert.deepEqual(failedRunCause([{ conclusion: 'failure', steps: [step(1, 'Set up job', 'success'), step(2, 'builder: install port', 'skipped')] }]), { kind: 'runner-lost' });
  assert.deepEqual(failedRunCause([{ conclusion: 'failure' }]), { kind: 'runner-lost' });
  assert.deepEqual(failedRunCause([{ conclusion: 'cancelled', steps: [] }]), { kind: 'unknown' });
});
