import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { createOnRunnerTaken } from '../../controller/flows/on-runner-taken.ts';

const log = pino({ level: 'silent' });

test('a run whose job took a farm runner is cancelled once, however many of its jobs take runners', async () => {
  const cancels: number[] = [];
  const onTaken = createOnRunnerTaken({ gateway: { cancel: (runId) => { cancels.push(runId); return Promise.resolve({ conclusion: 'cancelled' }); } }, log, signal: new AbortController().signal });
  onTaken({ buildId: 'b1', vmId: 'vm-1', runId: 77, jobId: 1 });
  onTaken({ buildId: 'b2', vmId: 'vm-2', runId: 77, jobId: 2 });
  onTaken({ buildId: 'b3', vmId: 'vm-3', runId: 78, jobId: 3 });
  await Promise.resolve();
  assert.deepEqual(cancels, [77, 78]);
});

test('a cancel that failed is tried again at the next theft', async () => {
  const cancels: number[] = [];
  let fail = true;
  const onTaken = createOnRunnerTaken({
    gateway: { cancel: (runId) => { cancels.push(runId); return fail ? Promise.reject(new Error('GitHub answered 502')) : Promise.resolve({ conclusion: 'cancelled' }); } },
    log,
    signal: new AbortController().signal,
  });
  onTaken({ buildId: 'b1', vmId: 'vm-1', runId: 77, jobId: 1 });
  await new Promise((resolve) => setImmediate(resolve));
  fail = false;
  onTaken({ buildId: 'b2', vmId: 'vm-2', runId: 77, jobId: 2 });
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(cancels, [77, 77]);
});
