import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DistfileChecksumsStore } from '../../controller/caches/distfile-checksums-store.ts';
import { CheckPublishing } from '../../controller/flows/check-publishing.ts';
import { createOnPortList } from '../../controller/flows/on-port-list.ts';
import { ReorderService } from '../../controller/queue/reorder-service.ts';
import { emptyStats } from '../../controller/serve/controller-stats.ts';
import { openStore } from '../../controller/store/open-store.ts';
import { FakeRunGateway } from '../queue/fake-run-gateway.ts';
import { at, recordingPublisher, REV } from './dispatched-builder.ts';

test('a port list handed over by its watcher\'s run queues the builders and their checks and keeps its ports\' distfile checksums; another run\'s list is refused and changes nothing', async () => {
  const db = openStore(':memory:');
  const gateway = new FakeRunGateway();
  const reorder = new ReorderService({ db, platforms: ['15_arm64'], gateway, graph: null, idPrefix: 'pl' });
  const { buildId } = reorder.enqueueWatcher({ platform: '15_arm64', portsRevision: REV, previousRevision: null, changedPorts: ['curl'], force: false, prNumber: null, now: at(0) });
  await reorder.pump(at(1), new AbortController().signal);
  const runId = reorder.describeBuild(buildId)?.runId;
  const publisher = recordingPublisher();
  const stats = emptyStats();
  let kicks = 0;
  const distfiles = new DistfileChecksumsStore();
  const accept = createOnPortList({ reorder, checks: new CheckPublishing({ publisher, reorder, versionOf: () => undefined, now: () => at(2) }), stats, distfiles, kick: () => { kicks += 1; }, now: () => at(2) });
  const checksums = (port: string) => ({ port, distSubdir: port, files: [{ name: `${port}-1.0.tar.gz`, size: 1, sha256: 'a'.repeat(64) }] });
  const list = { buildId, platform: '15_arm64', portsRevision: REV, ports: ['curl', 'wget'], excluded: [], distfiles: [checksums('curl'), checksums('openssl3')] };

  const refused = await accept(list, { runId: '999', runAttempt: '1' } as Parameters<typeof accept>[1]);
  assert.equal('reason' in refused ? refused.status : 200, 403);
  assert.deepEqual([stats.buildersQueued, kicks, publisher.checks.length], [0, 0, 0]);
  assert.equal(distfiles.lookup('curl', REV), undefined, 'a refused list teaches nothing');

  const accepted = await accept(list, { runId: String(runId), runAttempt: '1' } as Parameters<typeof accept>[1]);
  assert.deepEqual('builders' in accepted ? accepted.builders : accepted, 2);
  assert.deepEqual([stats.buildersQueued, kicks], [2, 1]);
  assert.deepEqual(publisher.checks.map((c) => [c.name, c.status]), [['curl (15_arm64)', 'queued'], ['wget (15_arm64)', 'queued']]);
  assert.deepEqual(distfiles.lookup('curl', REV), checksums('curl'));
  assert.equal(distfiles.lookup('openssl3', REV), undefined, 'the watcher did not list openssl3: its checksums are not taken');
  db.close();
});
