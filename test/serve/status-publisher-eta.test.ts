import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PortEta } from '../../controller/eta/eta-answer.ts';
import { StatusPublisher } from '../../controller/serve/status-publisher.ts';
import { statusSnapshotSchema, type QueueStatus } from '../../controller/status/status-snapshot.ts';

const NOW = new Date('2026-12-03T14:00:00Z');
const entry = (buildId: string, port: string, state: 'pending' | 'started'): QueueStatus['next'][number] => ({ buildId, kind: 'builder', port, portsRevision: 'aaaaaaa', state, enqueuedAt: NOW.toISOString() });
const queue: QueueStatus = {
  platform: '15_arm64',
  running: entry('b-1', 'zlib', 'started'),
  pending: { watchers: 0, builders: 2, pr: 0, estimatedFromWatchers: 0 },
  next: [entry('b-2', 'curl', 'pending'), entry('b-3', 'git', 'pending')],
  oldestWaitSeconds: 60,
  lanes: 1,
  inFlight: 1,
  blocked: { total: 0, byPort: [] },
  waiting: [],
};

function publisher(eta?: (platform: string, buildId: string, now: number) => PortEta | undefined): StatusPublisher {
  return new StatusPublisher({
    version: '0.1.0', repo: 'macports/macports-ports',
    runners: { hostsStatus: () => [], runnersStatus: () => [] },
    reorder: { queueStatus: () => [queue] },
    failures: { latest: () => [] },
    alerts: () => [],
    now: () => NOW,
    ...(eta === undefined ? {} : { eta }),
  });
}

test('/api/status carries each shown run\'s estimate (`ready`), null where unknown, and no key without an ETA', () => {
  const asked: string[] = [];
  const finish = { low: '2026-12-03T14:10:00.000Z', mid: '2026-12-03T14:20:00.000Z', high: '2026-12-03T14:40:00.000Z' };
  const snapshot = publisher((platform, buildId, now) => {
    asked.push(`${platform} ${buildId} ${String(now)}`);
    if (buildId === 'b-3') return undefined;
    return { platform, buildId, state: 'pending', position: 1, ahead: 1, start: null, finish, basis: 'port', unknown: null };
  }).snapshot();
  const parsed = statusSnapshotSchema.parse(snapshot);
  const shown = parsed.queues[0];
  assert.deepEqual(shown?.running?.ready, finish);
  assert.deepEqual(shown.next.map((e) => e.ready), [finish, null]);
  assert.deepEqual(asked, ['b-1', 'b-2', 'b-3'].map((id) => `15_arm64 ${id} ${String(NOW.getTime())}`));
  const plain = statusSnapshotSchema.parse(publisher().snapshot());
  assert.equal(plain.queues[0]?.next[0] !== undefined && 'ready' in plain.queues[0].next[0], false);
});
