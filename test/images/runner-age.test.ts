import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { applyImageCommand } from '../../controller/images/apply-image-command.ts';
import { assessRunnerAge, runnerAgeAlerts } from '../../controller/images/assess-runner-age.ts';
import { parseRunnerReleases } from '../../controller/images/runner-releases.ts';
import { createRunnerAgeGauges } from '../../controller/images/runner-age-gauge.ts';
import { emptyPlatformImages } from '../../controller/images/image-registry.ts';
import { imageVersion } from './image-fixture.ts';

// The shape GET /repos/actions/runner/releases answers (fields portfarm reads, plus noise).
const releasesBody = [
  { tag_name: 'v2.331.0', published_at: '2026-11-20T10:00:00Z', draft: false, prerelease: true, name: 'v2.331.0' },
  { tag_name: 'v2.330.1', published_at: '2026-11-12T10:00:00Z', draft: false, prerelease: false },
  { tag_name: 'v2.330.0', published_at: '2026-10-30T10:00:00Z', draft: false, prerelease: false },
  { tag_name: 'v2.329.0', published_at: '2026-10-01T10:00:00Z', draft: false, prerelease: false },
  { tag_name: 'runner-nightly', published_at: '2026-11-25T10:00:00Z', draft: false, prerelease: false },
];

function platform(runnerVersions: Record<number, string>, canary?: number): ReturnType<typeof emptyPlatformImages> {
  let state = emptyPlatformImages('15_arm64');
  for (const [v, runnerVersion] of Object.entries(runnerVersions)) {
    state = applyImageCommand(state, { kind: 'register', image: imageVersion(Number(v), { runnerVersion }) });
  }
  return canary === undefined ? state : applyImageCommand(state, { kind: 'rollout', version: canary, sharePercent: 10 });
}

test('releases: prereleases and odd tags are ignored', () => {
  assert.deepEqual(parseRunnerReleases(releasesBody).map((r) => r.version), ['2.330.1', '2.330.0', '2.329.0']);
  assert.throws(() => parseRunnerReleases({ message: 'Not Found' }), /actions\/runner releases answer is not a release list/);
});

test('the 30-day clock starts at the first newer release: expiring, refused, outdated, current', () => {
  const releases = parseRunnerReleases(releasesBody);
  const ages = assessRunnerAge({ platforms: [platform({ 1: '2.329.0', 2: '2.330.0' }, 2)], releases, now: new Date('2026-11-26T10:00:00Z') });
  assert.deepEqual(
    ages.map((a) => [a.image, a.role, a.status, a.successor?.version ?? null, a.refusedFrom, a.daysLeft]),
    [
      ['15_arm64-base@v1', 'current', 'expiring', '2.330.0', '2026-11-29T10:00:00.000Z', 3],
      ['15_arm64-base@v2', 'canary', 'outdated', '2.330.1', '2026-12-12T10:00:00.000Z', 16],
    ],
  );
  assert.deepEqual(runnerAgeAlerts(ages), [
    'image 15_arm64-base@v1 (current for 15_arm64) has actions runner 2.329.0; GitHub refuses it from 2026-11-29 (in 3 days) because 2.330.0 was released 2026-10-30; ' +
      'prepare a new image with portfarm image prepare --runner-version 2.330.0 and roll it out',
  ]);
  const later = assessRunnerAge({ platforms: [platform({ 1: '2.329.0' })], releases, now: new Date('2026-12-01T10:00:00Z') });
  assert.equal(later[0]?.status, 'refused');
  assert.equal(later[0].daysLeft, -2);
  assert.match(runnerAgeAlerts(later)[0] ?? '', /GitHub refuses it since 2026-11-29 because 2\.330\.0 was released 2026-10-30: jobs on it will not start/);
  const latest = assessRunnerAge({ platforms: [platform({ 1: '2.330.1' })], releases, now: new Date('2026-12-01T10:00:00Z') });
  assert.deepEqual(latest.map((a) => a.status), ['current']);
  assert.deepEqual(runnerAgeAlerts(latest), []);
});

test('without the release list, an image older than the window is reported as unchecked', () => {
  const ages = assessRunnerAge({ platforms: [platform({ 1: '2.329.0' })], releases: null, now: new Date('2026-11-26T00:00:00Z') });
  assert.equal(ages[0]?.status, 'unknown');
  assert.match(runnerAgeAlerts(ages)[0] ?? '', /could not be fetched to check it/);
  const fresh = assessRunnerAge({ platforms: [platform({ 1: '2.329.0' })], releases: null, now: new Date('2026-11-10T00:00:00Z') });
  assert.equal(fresh[0]?.status, 'current');
});

test('/metrics shows status and days left per rolled-out image; a replaced image disappears', async () => {
  const registry = new Registry();
  const gauges = createRunnerAgeGauges(registry);
  const releases = parseRunnerReleases(releasesBody);
  gauges.update(assessRunnerAge({ platforms: [platform({ 1: '2.329.0', 2: '2.330.1' }, 2)], releases, now: new Date('2026-11-26T10:00:00Z') }));
  const text = await registry.metrics();
  assert.match(text, /^portfarm_image_runner_status\{platform="15_arm64",image="15_arm64-base@v1",role="current",runner_version="2\.329\.0"\} 2$/m);
  assert.match(text, /^portfarm_image_runner_status\{platform="15_arm64",image="15_arm64-base@v2",role="canary",runner_version="2\.330\.1"\} 0$/m);
  assert.match(text, /^portfarm_image_runner_days_until_refusal\{platform="15_arm64",image="15_arm64-base@v1",role="current",runner_version="2\.329\.0"\} 3$/m);
  assert.doesNotMatch(text, /days_until_refusal\{[^}]*v2/);
  gauges.update([]);
  assert.doesNotMatch(await registry.metrics(), /15_arm64-base@v1/);
});
