import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LISTINGS_TO_CONFIRM, UnmatchedRegistrations } from '../../controller/runners/unmatched-registrations.ts';
import { createRunnerFarm, waitFor } from './runner-farm.ts';

test('a runner torn down a moment ago, still in the last listing, is not flagged "registration without VM"', async () => {
  const { manager, github } = createRunnerFarm();
  github.behaviour.autoComplete = false;
  await manager.start();
  github.queue('s1', '15_arm64');
  await waitFor(() => manager.leases()[0]?.phase === 'running');
  await manager.watchdogTick(); // the listing shows s1's registration, with its VM
  github.complete('s1');
  await manager.whenSettled('s1');
  // The lease and the VM are gone; the registration list is the one listed before.
  const runners = manager.runnersStatus();
  assert.deepEqual(runners.map((r) => [r.buildId, r.vmId, r.suspicious]), [['s1', null, null]], 'the stale listing still holds the runner, without an alarm: it is merely gone');
  await manager.stop();
});

test(`a registration listed without a VM ${String(LISTINGS_TO_CONFIRM)} times in a row is flagged`, async () => {
  const { manager, github, registry } = createRunnerFarm();
  github.behaviour.autoComplete = false;
  await manager.start();
  github.queue('s1', '15_arm64'); // a running lease keeps the watchdog listing
  await waitFor(() => manager.leases()[0]?.phase === 'running');
  registry.add('portfarm-ghost-1-aaaa', ['self-hosted', '15_arm64'], { status: 'online', busy: false });
  const ghost = (): string | null | undefined => manager.runnersStatus().find((r) => r.name === 'portfarm-ghost-1-aaaa')?.suspicious;
  await manager.watchdogTick();
  assert.equal(ghost(), null, 'one listing may lag');
  await manager.watchdogTick();
  assert.equal(ghost(), 'registration-without-vm');
  github.complete('s1');
  await manager.whenSettled('s1');
  await manager.stop();
});

test('the count restarts when a listing shows the registration with a VM, and is forgotten when it is no longer listed', () => {
  const unmatched = new UnmatchedRegistrations();
  let withVm = false;
  unmatched.listed(['r'], () => withVm);
  withVm = true;
  unmatched.listed(['r'], () => withVm);
  withVm = false;
  unmatched.listed(['r'], () => withVm);
  assert.equal(unmatched.confirmed('r'), false);
  unmatched.listed(['r'], () => withVm);
  assert.equal(unmatched.confirmed('r'), true);
  unmatched.listed([], () => withVm);
  unmatched.listed(['r'], () => withVm);
  assert.equal(unmatched.confirmed('r'), false);
});
