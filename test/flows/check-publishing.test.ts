import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CheckPublishing } from '../../controller/flows/check-publishing.ts';
import { at, dispatchedBuilder, recordingPublisher, REV } from './dispatched-builder.ts';

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
