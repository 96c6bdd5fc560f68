import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CheckPublishing } from '../../controller/flows/check-publishing.ts';
import { createOnPortList } from '../../controller/flows/on-port-list.ts';
import type { AcceptPortList } from '../../controller/handoff/create-port-list-handler.ts';
import type { QueueEntry } from '../../controller/queue/core/queue-entry.ts';
import { DistfileChecksumsStore } from '../../controller/caches/distfile-checksums-store.ts';
import { emptyStats } from '../../controller/serve/controller-stats.ts';
import { CheckTallyStore } from '../../controller/store/check-tally-store.ts';
import { openStore } from '../../controller/store/open-store.ts';
import { recordingPublisher } from './dispatched-builder.ts';
import { buildPorts, finishWatcher, handOver, ledgerTruth, openTallyRig, PLATFORM, PORTS, SHA, summaries, titleFor, type TallyRig } from './tally-crash-rig.ts';

/**
 * A summary check's tally moves in writes of its own, after the queue change or ledger line
 * that caused them. A kill -9 between the two (PORTFARM_CRASH_AT, in a child process running
 * the controller's flows on a state database and a ledger) must not leave the tally behind:
 * right after the restart the summary counts what the ledger and the queue say, and at the
 * end it completes with every port counted once.
 */

const CHILD = join(import.meta.dirname, 'tally-crash-child.ts');
const signal = new AbortController().signal;
/** 60 ports, every ninth failing (tally-crash-rig.ts): 53 built, 7 failed. */
const FINAL = titleFor(53, 7);

function crashChild(dir: string, crashAt: string): { readonly watcher: { readonly buildId: string; readonly runId: number } } {
  const child = spawnSync(process.execPath, [CHILD, dir], { env: { ...process.env, PORTFARM_CRASH_AT: crashAt }, encoding: 'utf8', timeout: 120_000 });
  assert.equal(child.signal, 'SIGKILL', `the child passed ${crashAt} without dying: ${child.stdout}${child.stderr}`);
  assert.match(child.stdout, /"crashPoint"/);
  const first = child.stdout.split('\n')[0] ?? '';
  return JSON.parse(first) as { watcher: { buildId: string; runId: number } };
}

async function withDir(work: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'portfarm-tally-crash-'));
  try {
    await work(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The summary as the restarted controller publishes it, against the ledger's counts. */
async function assertCountsLikeTheLedger(rig: TallyRig, when: string): Promise<void> {
  await rig.checks.flush(signal);
  const truth = ledgerTruth(rig.ledgerPath);
  const last = summaries(rig).at(-1);
  assert.equal(last?.output.title, titleFor(truth.built, truth.failed.length), `${when}: the summary counts every build the ledger has`);
  for (const port of truth.failed) assert.ok(last.output.summary.includes(`| ${port} | install-port | [log](https://farm.example/builders/ports-15_arm64-builder/builds/`), `${when}: ${port}'s failure is in the summary's table`);
}

async function assertCompletes(rig: TallyRig): Promise<void> {
  await buildPorts(rig);
  await rig.checks.flush(signal);
  const last = summaries(rig).at(-1);
  assert.deepEqual([last?.status, last?.output.title], ['completed', FINAL], 'every port built or failed: the summary completes, each port counted once');
}

// Hit 1 is the watcher's recording; then the builders in list order: hit 4 is port-02 (built), hit 6 port-04 (failed).
for (const [hit, port, result] of [[4, 'port-02', 'success'], [6, 'port-04', 'failure']] as const) {
  test(`a kill -9 after ${port}'s ledger line (${result}), before its tally moved: right after the restart the summary counts it`, async () => {
    await withDir(async (dir) => {
      crashChild(dir, `ledger-written#${String(hit)}`);
      const rig = openTallyRig(dir);
      try {
        const kept = rig.reorder.unrecorded().map((n) => [rig.reorder.describeBuild(n.buildId)?.port, n.result]);
        assert.deepEqual(kept, [[port, result]], 'the crash kept the finish note of the build whose ledger line was written');
        await rig.catchUp.recordUnrecorded();
        assert.deepEqual(rig.reorder.unrecorded(), [], 'and the start cleared it');
        assert.equal(ledgerTruth(rig.ledgerPath).built + ledgerTruth(rig.ledgerPath).failed.length, hit - 1, 'the build is in the ledger once: it was not recorded again');
        await assertCountsLikeTheLedger(rig, 'right after the restart');
        await assertCompletes(rig);
      } finally {
        rig.close();
      }
    });
  });
}

test('a kill -9 after a long list was accepted, before its tally began, and no hand-off retry: the summary counts its builds after the restart', async () => {
  await withDir(async (dir) => {
    const { watcher } = crashChild(dir, 'list-accepted');
    const rig = openTallyRig(dir);
    try {
      await rig.checks.flush(signal);
      assert.deepEqual(summaries(rig).map((c) => c.output.title), [titleFor(0, 0)], 'right after the restart the summary is there, nothing built yet');
      await finishWatcher(rig, watcher);
      await buildPorts(rig, 10);
      await assertCountsLikeTheLedger(rig, 'after 10 builds');
      await assertCompletes(rig);
    } finally {
      rig.close();
    }
  });
});

test('a kill -9 after a long list was accepted, the watcher handing it over again once builds went on: the tally is not started over', async () => {
  await withDir(async (dir) => {
    const { watcher } = crashChild(dir, 'list-accepted');
    const rig = openTallyRig(dir);
    try {
      await buildPorts(rig, 5);
      await handOver(rig, watcher); // its hand-off retry, after the restart
      await assertCountsLikeTheLedger(rig, 'after the retried hand-off');
      await finishWatcher(rig, watcher);
      await assertCompletes(rig);
      const published = summaries(rig).length;
      await handOver(rig, watcher); // a retry later still: the finished summary stays finished
      await rig.checks.flush(signal);
      assert.equal(summaries(rig).length, published, 'no summary started over after it completed');
    } finally {
      rig.close();
    }
  });
});

test('a list whose accepting transaction fails leaves no tally behind it: no summary of a list never accepted', async () => {
  const db = openStore(':memory:');
  try {
    const publisher = recordingPublisher();
    const watcherEntry = { buildId: 'w-1', kind: 'watcher', platform: PLATFORM, runId: 7, portsRevision: SHA, force: false, port: null } as unknown as QueueEntry;
    const reorder = {
      describeBuild: (id: string) => (id === 'w-1' ? watcherEntry : undefined),
      blockedBuilds: () => [],
      takePortList: (_list: unknown, _now: Date, options: { readonly onAccepted?: () => void } = {}) => {
        db.exec('begin immediate');
        options.onAccepted?.();
        db.exec('rollback'); // the commit failed (disk full, database locked): nothing of it stays
        return Promise.reject(new Error('database or disk is full'));
      },
    };
    const checks = new CheckPublishing({ publisher, reorder, versionOf: () => undefined, now: () => new Date(), volume: { portChecksPerList: 50, summaryIntervalMs: 0, failureChecksPerCommit: 10 }, tallies: new CheckTallyStore(db) });
    const accept = createOnPortList({ reorder, checks, stats: emptyStats(), distfiles: new DistfileChecksumsStore(), kick: () => undefined, now: () => new Date() });
    await assert.rejects(accept({ buildId: 'w-1', platform: PLATFORM, portsRevision: SHA, ports: PORTS, excluded: [] }, { runId: '7', runAttempt: '1' } as Parameters<AcceptPortList>[1]), /disk is full/);
    await checks.flush(signal);
    assert.deepEqual(summaries({ publisher } as unknown as TallyRig), [], 'the watcher is answered with an error and retries; until then there is no summary');
    assert.deepEqual(new CheckTallyStore(db).tallies(), []);
  } finally {
    db.close();
  }
});
