import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { BuildNotes } from '../../controller/flows/build-notes.ts';
import { CheckPublishing } from '../../controller/flows/check-publishing.ts';
import { createOnBuildFinished } from '../../controller/flows/on-build-finished.ts';
import type { FailureMail } from '../../controller/mail/build-failure-mail.ts';
import { ReorderService } from '../../controller/queue/reorder-service.ts';
import { emptyStats } from '../../controller/serve/controller-stats.ts';
import { RecentFailures } from '../../controller/serve/recent-failures.ts';
import { openStore } from '../../controller/store/open-store.ts';
import { captureLog } from '../github/capture-log.ts';
import { FakeRunGateway } from '../queue/fake-run-gateway.ts';
import { SMALL_GRAPH } from '../queue/queue-helpers.ts';
import { at, recordingPublisher } from './dispatched-builder.ts';

test('a port that failed is mailed once, with how many builds it blocks; the blocked builds get a check that says so and no mail', async () => {
  const signal = new AbortController().signal;
  const dir = mkdtempSync(join(tmpdir(), 'portfarm-blocks-'));
  const db = openStore(':memory:');
  try {
    const reorder = new ReorderService({ db, platforms: ['15_arm64'], gateway: new FakeRunGateway(), graph: SMALL_GRAPH, idPrefix: 'bl' });
    const { buildId: watcher } = reorder.enqueueWatcher({ platform: '15_arm64', portsRevision: 'aaaaaaa1', changedPorts: null, force: false, prNumber: null, now: at(0) });
    await reorder.pump(at(1), signal);
    reorder.acceptPortList({ buildId: watcher, platform: '15_arm64', portsRevision: 'aaaaaaa1', ports: ['openssl', 'curl', 'git'], excluded: [] }, at(2));
    reorder.runFinished(watcher, 'success', at(3));
    const mails: FailureMail[] = [];
    const publisher = recordingPublisher();
    const checks = new CheckPublishing({ publisher, reorder, versionOf: () => undefined, now: () => at(6) });
    checks.queued({ portsRevision: 'aaaaaaa1', platform: '15_arm64', ports: ['openssl', 'curl', 'git'] });
    const [openssl] = (await reorder.pump(at(4), signal)).dispatched;
    assert.ok(openssl !== undefined);
    reorder.runFinished(openssl, 'failure', at(5));
    const onFinished = createOnBuildFinished({
      reorder,
      notes: new BuildNotes(),
      checks,
      stats: emptyStats(),
      failures: new RecentFailures(),
      record: {
        ledgerPath: join(dir, 'ledger.ndjson'),
        siteBaseUrl: 'https://build.example.org',
        maintainersOf: () => ['openssl-maintainer@example.org'],
        versionOf: () => undefined,
        mail: { send: (mail) => { mails.push(mail); return Promise.resolve({ messageId: 'm-1', accepted: [...mail.to], rejected: [] }); }, settings: { from: 'farm@example.org', buildsList: [] } },
        log: captureLog().log,
      },
    });
    await onFinished(openssl, 'failure', { runId: 1, at: at(5) });
    assert.equal(mails.length, 1, 'one mail, to the maintainers of the port that failed');
    assert.match(mails[0]?.text ?? '', /\nBlocks: {6}2 ports on 15_arm64\n/);
    assert.deepEqual(publisher.checks.filter((c) => c.output.title.startsWith('blocked')).map((c) => [c.externalId, c.output.title]), [
      ['15_arm64/curl', 'blocked: waiting for openssl to build on 15_arm64'],
      ['15_arm64/git', 'blocked: waiting for openssl to build on 15_arm64'],
    ]);
    assert.deepEqual((await reorder.pump(at(7), signal)).dispatched, [], 'no VM for a blocked port');
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
