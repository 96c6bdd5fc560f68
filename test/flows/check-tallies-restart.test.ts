import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CheckPublishing, type CheckVolume } from '../../controller/flows/check-publishing.ts';
import type { CheckRunState } from '../../controller/github/check-run-publisher.ts';
import type { QueueEntry } from '../../controller/queue/core/queue-entry.ts';
import { CheckTallyStore } from '../../controller/store/check-tally-store.ts';
import { openStore } from '../../controller/store/open-store.ts';
import { recordingPublisher } from './dispatched-builder.ts';

// The summary checks' counts and the failure checks made per commit are kept in the state
// database: a controller restarted in the middle of a long list goes on counting.

const PLATFORM = '15_arm64';
const SHA = 'c'.repeat(40);
const start = Date.UTC(2026, 11, 3, 10, 0);
const signal = new AbortController().signal;
const dir = mkdtempSync(join(tmpdir(), 'portfarm-check-tallies-'));
after(() => { rmSync(dir, { recursive: true, force: true }); });

/** describeBuild as the reorder service answers it: builder `b-<i>` builds `port-<i>` on SHA (kept in the queue database across the restart). */
const reorder = {
  describeBuild: (id: string): Readonly<QueueEntry> | undefined => {
    const i = /^b-(\d+)$/.exec(id)?.[1];
    if (i === undefined) return undefined;
    return {
      buildId: id, platform: PLATFORM, kind: 'builder', port: `port-${i}`, portsRevision: SHA, state: 'started', seq: 1, enqueuedAt: start,
      changedPorts: null, force: false, prNumber: null, origin: 'w', listIndex: Number(i), rank: 0, builderClass: 0, head: false,
      runId: 1, lane: 0, dispatchedAt: start, startedAt: start, listAccepted: true, cancelRequested: false,
    };
  },
  blockedBuilds: () => [],
};

function controller(path: string, volume: CheckVolume, clock: { t: number }): { checks: CheckPublishing; publisher: ReturnType<typeof recordingPublisher>; close: () => void } {
  const db = openStore(path);
  const publisher = recordingPublisher();
  const checks = new CheckPublishing({ publisher, reorder, versionOf: () => undefined, now: () => new Date(clock.t), volume, tallies: new CheckTallyStore(db) });
  return { checks, publisher, close: () => { db.close(); } };
}

const ports = Array.from({ length: 60 }, (_, i) => `port-${i}`);
const titles = (publisher: ReturnType<typeof recordingPublisher>): string[] => publisher.checks.filter((c) => c.externalId === `${PLATFORM} summary`).map((c) => c.output.title);

test('a summary check goes on counting after a restart instead of starting from zero', async () => {
  const clock = { t: start };
  const path = join(dir, 'summary.sqlite');
  const volume = { portChecksPerList: 50, summaryIntervalMs: 180_000, failureChecksPerCommit: 40_000 };
  const first = controller(path, volume, clock);
  first.checks.queued({ portsRevision: SHA, platform: PLATFORM, ports });
  for (let i = 0; i < 23; i++) {
    first.checks.started(`b-${i}`, new Date(clock.t));
    first.checks.completed(`b-${i}`, i < 3 ? 'failure' : 'success', i < 3 ? { failingPhase: 'build', detailsUrl: `https://farm.example/builds/b-${i}` } : {});
  }
  first.checks.started('b-23', new Date(clock.t));
  await first.checks.flush(signal);
  assert.deepEqual(titles(first.publisher), ['60 ports on 15_arm64: 20 of 60 built, 3 failed']);
  first.close();

  // A restart: a new controller on the same state database.
  clock.t += 600_000;
  const second = controller(path, volume, clock);
  for (let i = 23; i < 34; i++) second.checks.completed(`b-${i}`, i === 33 ? 'failure' : 'success', i === 33 ? { failingPhase: 'install-port' } : {});
  await second.checks.flush(signal);
  assert.deepEqual(titles(second.publisher), ['60 ports on 15_arm64: 30 of 60 built, 4 failed']);
  const summary = second.publisher.checks.find((c) => c.externalId === `${PLATFORM} summary`);
  assert.ok(summary !== undefined);
  assert.equal(summary.status, 'in_progress');
  for (const row of ['| port-0 | build | [log](https://farm.example/builds/b-0) |', '| port-2 | build |', '| port-33 | install-port | — |']) assert.ok(summary.output.summary.includes(row), `the failures before and after the restart are listed: ${row}`);

  // The rest finish: the final state goes out at once, and the tally is then forgotten.
  for (let i = 34; i < 60; i++) second.checks.completed(`b-${i}`, 'success', {});
  await second.checks.flush(signal);
  assert.deepEqual(titles(second.publisher).at(-1), '60 ports on 15_arm64: 56 of 60 built, 4 failed');
  second.close();
  const third = controller(path, volume, clock);
  await third.checks.flush(signal);
  assert.deepEqual(titles(third.publisher), [], 'a finished summary is not sent again after the next restart');
  third.close();
});

test('the failure-check cap per commit holds across a restart', () => {
  const clock = { t: start };
  const path = join(dir, 'cap.sqlite');
  const volume = { portChecksPerList: 50, summaryIntervalMs: 180_000, failureChecksPerCommit: 3 };
  const first = controller(path, volume, clock);
  first.checks.queued({ portsRevision: SHA, platform: PLATFORM, ports });
  for (const i of [0, 1]) first.checks.completed(`b-${i}`, 'failure', {});
  first.close();
  const second = controller(path, volume, clock);
  for (const i of [2, 3, 0]) second.checks.completed(`b-${i}`, 'failure', {});
  const made = second.publisher.checks.filter((c) => c.externalId.startsWith(`${PLATFORM}/`)).map((c) => [c.externalId, c.createIfMissing !== false]);
  assert.deepEqual(made, [
    [`${PLATFORM}/port-2`, true],
    [`${PLATFORM}/port-3`, false],
    [`${PLATFORM}/port-0`, true],
  ], 'two made before the restart, one after: the fourth failure only updates a check the commit may have; port-0 has its check');
  second.close();
});

/** GitHub unreachable: the check worker's flush fails, every state stays pending (as CheckRunPublisher keeps it). */
function unreachablePublisher(): { update(check: CheckRunState): void; flush(): Promise<never>; isPending(): boolean } {
  return {
    update: () => undefined,
    flush: () => Promise.reject(new Error('connect ECONNREFUSED api.github.com')),
    isPending: () => true,
  };
}

test('a summary handed out for publishing but never sent before a crash goes out after the restart, its final state too', async () => {
  const clock = { t: start };
  const path = join(dir, 'unsent.sqlite');
  const volume = { portChecksPerList: 50, summaryIntervalMs: 180_000, failureChecksPerCommit: 40_000 };
  const sendAndCrash = async (work: (checks: CheckPublishing) => void): Promise<void> => {
    const db = openStore(path);
    const checks = new CheckPublishing({ publisher: unreachablePublisher(), reorder, versionOf: () => undefined, now: () => new Date(clock.t), volume, tallies: new CheckTallyStore(db) });
    work(checks);
    await assert.rejects(checks.flush(signal), /ECONNREFUSED/);
    db.close(); // the kill -9: what the flush handed out never reached GitHub
  };
  await sendAndCrash((checks) => {
    checks.queued({ portsRevision: SHA, platform: PLATFORM, ports, buildId: 'w-1' });
    for (let i = 0; i < 10; i++) checks.completed(`b-${i}`, 'success', {});
  });
  clock.t += 600_000;
  const second = controller(path, volume, clock);
  await second.checks.flush(signal);
  assert.deepEqual(titles(second.publisher), ['60 ports on 15_arm64: 10 of 60 built, 0 failed'], 'the counts handed out before the crash are sent after it');
  second.close();

  await sendAndCrash((checks) => { for (let i = 10; i < 60; i++) checks.completed(`b-${i}`, 'success', {}); });
  const third = controller(path, volume, clock);
  await third.checks.flush(signal);
  const final = third.publisher.checks.filter((c) => c.externalId === `${PLATFORM} summary`).map((c) => [c.status, c.output.title]);
  assert.deepEqual(final, [['completed', '60 ports on 15_arm64: 60 of 60 built, 0 failed']], 'the final state is sent after the restart: the check does not stay in progress');
  third.close();
  const fourth = controller(path, volume, clock);
  await fourth.checks.flush(signal);
  assert.deepEqual(titles(fourth.publisher), [], 'once GitHub has the final state, the tally is gone');
  fourth.close();
});
