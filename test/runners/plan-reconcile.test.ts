import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planReconcile } from '../../controller/runners/plan-reconcile.ts';

const runner = (id: number, name: string, busy: boolean) => ({ id, name, status: 'online' as const, busy, labels: ['self-hosted', '15_arm64'] });

test('orphans on both sides are reaped by name; busy runners are adopted; active leases and foreign runners are untouched', () => {
  const plan = planReconcile({
    vms: [
      { vmId: 'portfarm-a-1-aaaa', host: 'mini-1' }, // clone left behind, no registration
      { vmId: 'portfarm-b-1-bbbb', host: 'mini-1' }, // registered, idle
      { vmId: 'portfarm-c-2-cccc', host: 'mini-2' }, // registered, running a job
      { vmId: 'portfarm-d-1-dddd', host: 'mini-2' }, // the manager is handling it
    ],
    runners: [
      runner(1, 'portfarm-b-1-bbbb', false),
      runner(2, 'portfarm-c-2-cccc', true),
      runner(3, 'portfarm-e-1-eeee', false), // VM gone
      runner(4, 'portfarm-f-1-ffff', false), // VM being cloned right now (active)
      runner(5, 'someone-elses-runner', false),
    ],
    active: new Set(['portfarm-d-1-dddd', 'portfarm-f-1-ffff']),
  });
  assert.deepEqual(plan, {
    destroyVms: [
      { vmId: 'portfarm-a-1-aaaa', host: 'mini-1', reason: 'vm-without-registration' },
      { vmId: 'portfarm-b-1-bbbb', host: 'mini-1', reason: 'idle-vm-without-lease' },
    ],
    deleteRunners: [
      { id: 3, name: 'portfarm-e-1-eeee', reason: 'registration-without-vm' },
      { id: 1, name: 'portfarm-b-1-bbbb', reason: 'idle-vm-without-lease' },
    ],
    adopt: [{ vmId: 'portfarm-c-2-cccc', host: 'mini-2', runnerId: 2, buildId: 'c' }],
  });
});
