import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EtaAnswer } from '../../controller/eta/eta-answer.ts';
import { CheckPublishing } from '../../controller/flows/check-publishing.ts';
import { ReorderService } from '../../controller/queue/reorder-service.ts';
import { openStore } from '../../controller/store/open-store.ts';
import { FakeRunGateway } from '../queue/fake-run-gateway.ts';
import { SMALL_GRAPH } from '../queue/queue-helpers.ts';
import { at, dispatchedBuilder, recordingPublisher, REV } from './dispatched-builder.ts';

const signal = new AbortController().signal;

test('a builder\'s check: queued when listed, in_progress when started, completed with its duration; watchers have none', async () => {
  const farm = await dispatchedBuilder();
  const publisher = recordingPublisher();
  let clock = at(5);
  const checks = new CheckPublishing({ publisher, reorder: farm.reorder, versionOf: (port) => (port === 'curl' ? '8.11.0' : undefined), now: () => clock });
  checks.queued({ portsRevision: REV, platform: '15_arm64', ports: ['curl', 'wget'] });
  checks.started(farm.buildId, at(6));
  clock = at(9);
  checks.completed(farm.buildId, 'failure', { failingPhase: 'install-port' });
  const watcher = farm.reorder.describeBuild('fl-1');
  assert.equal(watcher?.kind, 'watcher');
  checks.started('fl-1', at(7));
  assert.deepEqual(publisher.checks.map((c) => [c.name, c.externalId, c.status, c.conclusion, c.output.title, c.createIfMissing]), [
    ['curl (15_arm64)', '15_arm64/curl', 'queued', undefined, 'curl queued on 15_arm64', undefined],
    ['wget (15_arm64)', '15_arm64/wget', 'queued', undefined, 'wget queued on 15_arm64', undefined],
    ['curl (15_arm64)', '15_arm64/curl', 'in_progress', undefined, 'building curl on 15_arm64', undefined],
    ['curl (15_arm64)', '15_arm64/curl', 'completed', 'failure', 'curl failed in install-port on 15_arm64', undefined],
  ]);
  assert.match(publisher.checks.at(-1)?.output.summary ?? '', /\| curl \| 8\.11\.0 \| 15_arm64 \| 3m 00s \| install-port \|/);
  farm.db.close();
});

test('a build whose list this controller never saw (a restart): its success only updates a check the commit has, its failure makes one', async () => {
  const farm = await dispatchedBuilder();
  const publisher = recordingPublisher();
  const checks = new CheckPublishing({ publisher, reorder: farm.reorder, versionOf: () => undefined, now: () => at(9) });
  checks.started(farm.buildId, at(6));
  checks.completed(farm.buildId, 'success', {});
  checks.completed(farm.buildId, 'failure', { failingPhase: 'install-port' });
  assert.deepEqual(publisher.checks.map((c) => [c.status, c.conclusion, c.createIfMissing]), [
    ['in_progress', undefined, false],
    ['completed', 'success', false],
    ['completed', 'failure', undefined],
  ]);
  farm.db.close();
});

test('a queued check says where the build stands and when it is expected; the estimate is refreshed within its allowance, oldest first, and no longer once the build starts', async () => {
  const farm = await dispatchedBuilder();
  const publisher = recordingPublisher();
  let clock = at(5);
  let asked = 0;
  const answer = (port: string, platform: string, now: number): EtaAnswer => {
    asked += 1;
    const minutes = (m: number) => new Date(now + m * 60_000).toISOString();
    return {
      port, generatedAt: new Date(now).toISOString(),
      builds: [{ platform, buildId: `b-${port}`, state: 'pending', position: port === 'curl' ? 3 : 4, ahead: 3, start: null, finish: { low: minutes(20), mid: minutes(30), high: minutes(50) }, basis: 'port', unknown: null }],
    };
  };
  const checks = new CheckPublishing({ publisher, reorder: farm.reorder, versionOf: () => undefined, now: () => clock, eta: { answer, refreshMs: 10 * 60_000, refreshPerFlush: 1 } });
  checks.queued({ portsRevision: REV, platform: '15_arm64', ports: ['curl', 'wget'] });
  assert.deepEqual(publisher.checks.map((c) => c.output.title), [
    'curl queued on 15_arm64, 3rd in line, estimated ready around 10:35 UTC (10:25–10:55)',
    'wget queued on 15_arm64, 4th in line, estimated ready around 10:35 UTC (10:25–10:55)',
  ]);
  assert.match(publisher.checks[0]?.output.summary ?? '', /Estimate as of 10:05 UTC: queued on 15_arm64, 3rd in line, estimated ready around 10:35 UTC \(10:25–10:55\)\. Live: `portfarm eta curl --platform 15_arm64`\./);
  clock = at(14);
  await checks.flush(signal);
  assert.equal(publisher.checks.length, 2, 'not due yet: no call');
  clock = at(16);
  await checks.flush(signal);
  await checks.flush(signal);
  assert.deepEqual(publisher.checks.slice(2).map((c) => [c.externalId, c.output.title]), [
    ['15_arm64/curl', 'curl queued on 15_arm64, 3rd in line, estimated ready around 10:46 UTC (10:36–11:06)'],
    ['15_arm64/wget', 'wget queued on 15_arm64, 4th in line, estimated ready around 10:46 UTC (10:36–11:06)'],
  ], 'one refresh per flush, the oldest estimate first');
  const before = publisher.checks.length;
  checks.started(farm.buildId, at(17));
  clock = at(40);
  await checks.flush(signal);
  await checks.flush(signal);
  assert.deepEqual(publisher.checks.slice(before).map((c) => [c.externalId, c.status]), [['15_arm64/curl', 'in_progress'], ['15_arm64/wget', 'queued']], 'curl started: only wget is refreshed');
  assert.equal(asked, 5);
  farm.db.close();
});

test('a builder held by a failed dependency: its check says "blocked: waiting for <port> to build on <platform>", also when it is listed later', async () => {
  const signal = new AbortController().signal;
  const db = openStore(':memory:');
  const reorder = new ReorderService({ db, platforms: ['15_arm64'], gateway: new FakeRunGateway(), graph: SMALL_GRAPH, idPrefix: 'ck' });
  const list = async (rev: string, ports: string[], minute: number): Promise<void> => {
    const { buildId } = reorder.enqueueWatcher({ platform: '15_arm64', portsRevision: rev, changedPorts: null, force: false, prNumber: null, now: at(minute) });
    await reorder.pump(at(minute), signal);
    reorder.acceptPortList({ buildId, platform: '15_arm64', portsRevision: rev, ports, excluded: [] }, at(minute));
    reorder.runFinished(buildId, 'success', at(minute));
  };
  const publisher = recordingPublisher();
  const checks = new CheckPublishing({ publisher, reorder, versionOf: () => undefined, now: () => at(4) });
  await list(REV, ['curl', 'git'], 1);
  checks.queued({ portsRevision: REV, platform: '15_arm64', ports: ['curl', 'git'] });
  const [curl] = (await reorder.pump(at(2), signal)).dispatched;
  assert.ok(curl !== undefined);
  reorder.runFinished(curl, 'failure', at(3));
  checks.blocked('15_arm64', 'curl');
  await list('bbbbbbb2', ['leaf', 'git'], 5);
  checks.queued({ portsRevision: 'bbbbbbb2', platform: '15_arm64', ports: ['leaf', 'git'] });
  assert.deepEqual(publisher.checks.map((c) => [c.externalId, c.headSha, c.output.title]), [
    ['15_arm64/curl', REV, 'curl queued on 15_arm64'],
    ['15_arm64/git', REV, 'git queued on 15_arm64'],
    ['15_arm64/git', REV, 'blocked: waiting for curl to build on 15_arm64'],
    ['15_arm64/leaf', 'bbbbbbb2', 'leaf queued on 15_arm64'],
    ['15_arm64/git', 'bbbbbbb2', 'blocked: waiting for curl to build on 15_arm64'],
  ]);
  db.close();
});
