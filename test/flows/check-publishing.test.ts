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
  assert.deepEqual(publisher.checks.map((c) => [c.port, c.status, c.conclusion, c.version, c.durationMs, c.failingPhase]), [
    ['curl', 'queued', undefined, undefined, undefined, undefined],
    ['wget', 'queued', undefined, undefined, undefined, undefined],
    ['curl', 'in_progress', undefined, '8.11.0', undefined, undefined],
    ['curl', 'completed', 'failure', '8.11.0', 3 * 60_000, 'install-port'],
  ]);
  farm.db.close();
});
