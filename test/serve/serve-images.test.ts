import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { openImageRegistryStore, type ImageRegistryStore } from '../../controller/images/image-registry-store.ts';
import { imageName, type ImageVersion } from '../../controller/images/image-registry.ts';
import type { RunnerRelease } from '../../controller/images/runner-releases.ts';
import { canaryBucket } from '../../controller/images/select-image.ts';
import { statusSnapshotSchema, type StatusSnapshot } from '../../controller/status/status-snapshot.ts';
import { formatStatusText } from '../../controller/tui/format-status-text.ts';
import { waitFor } from '../runners/runner-farm.ts';
import { PLATFORM, startServeHarness, type ServeHarness, WITH_STATUS_TOKEN } from './serve-harness.ts';

const DAY = 86_400_000;
const START = Date.parse('2026-11-26T08:00:00Z');

function version(v: number, runnerVersion: string): ImageVersion {
  return {
    platform: PLATFORM.name,
    version: v,
    image: imageName(PLATFORM.name, v),
    backend: 'fake',
    runnerVersion,
    macportsVersion: '2.11.5',
    createdAt: new Date(START - 40 * DAY).toISOString(),
    preparedFrom: 'macos-15-vanilla',
  };
}

/** Build ids whose canary bucket is below / at or above `share`. */
function idsFor(share: number): { canary: string[]; current: string[] } {
  const canary: string[] = [];
  const current: string[] = [];
  for (let i = 0; canary.length < 3 || current.length < 3; i += 1) {
    // PR-build ids (run i+1, attempt 1): their run is recorded by the id itself, so their job events are accepted without a dispatch.
    const id = `pr-${i + 1}-1-0`;
    (canaryBucket(id) < share ? canary : current).push(id);
  }
  return { canary, current };
}

async function status(h: ServeHarness): Promise<StatusSnapshot> {
  return statusSnapshotSchema.parse(await (await fetch(`${h.controller.url}/api/status`, WITH_STATUS_TOKEN)).json());
}

function slotImage(h: ServeHarness, buildId: string): string | null | undefined {
  for (const host of h.controller.runners.hostsStatus()) for (const slot of host.slots) if (slot.buildId === buildId) return slot.image;
  return undefined;
}

async function cloned(h: ServeHarness, buildId: string): Promise<string | null | undefined> {
  assert.ok(h.controller.runners.warmStart(PLATFORM.name, buildId), `a slot for ${buildId}`);
  await waitFor(() => h.controller.runners.vmImages().some((v) => v.vmId.includes(buildId)), `VM of ${buildId} cloned`);
  return slotImage(h, buildId);
}

test('serve: each VM gets the pinned or canary image by build id, keeps it through a rollback, and GC waits for no VM and the grace time', async () => {
  let clock = START;
  let store: ImageRegistryStore | undefined;
  const releases: RunnerRelease[] = [
    { version: '2.329.0', publishedAt: new Date(START - 60 * DAY).toISOString() },
    // v1's runner is refused 30 days after this: in 5 days, inside the 7-day warning.
    { version: '2.330.0', publishedAt: new Date(START - 25 * DAY).toISOString() },
  ];
  const h = await startServeHarness({
    images: [PLATFORM.image, ...[1, 2, 3].map((v) => imageName(PLATFORM.name, v))],
    prepare: (stateDir) => {
      store = openImageRegistryStore(join(stateDir, 'images.sqlite'));
      store.apply(PLATFORM.name, { kind: 'register', image: version(1, '2.329.0') });
      store.apply(PLATFORM.name, { kind: 'register', image: version(2, '2.330.0') });
      store.apply(PLATFORM.name, { kind: 'rollout', version: 2, sharePercent: 50 });
    },
    configure: (config) => ({ ...config, images: { ...config.images, gcGraceMinutes: 60 } }),
    options: { now: () => new Date(clock), fetchRunnerReleases: () => Promise.resolve(releases) },
  });
  const registry = store;
  assert.ok(registry !== undefined);
  try {
    const ids = idsFor(50);
    const [canaryId = '', canaryId2 = ''] = ids.canary;
    const [currentId = ''] = ids.current;
    // Canary share: the build's bucket decides, and a retry of the same build gets the same answer.
    assert.equal(await cloned(h, canaryId), imageName(PLATFORM.name, 2));
    assert.equal(await cloned(h, currentId), imageName(PLATFORM.name, 1));
    assert.equal(h.controller.images.imageFor(PLATFORM, canaryId), imageName(PLATFORM.name, 2));
    assert.deepEqual(
      h.logs.filter((l) => l.msg === 'cloning VM').map((l) => [l['buildId'], l['image']]),
      [[canaryId, imageName(PLATFORM.name, 2)], [currentId, imageName(PLATFORM.name, 1)]],
    );

    // Rollback (portfarm image rollback, another process): new VMs go back to v1; the canary VM keeps v2.
    registry.apply(PLATFORM.name, { kind: 'rollback' });
    assert.equal(await cloned(h, canaryId2), imageName(PLATFORM.name, 1));
    assert.equal(slotImage(h, canaryId), imageName(PLATFORM.name, 2));

    // Runner age: v1 (current) has 2.329.0, refused in 5 days → alert in /api/status, the TUI and /metrics.
    await h.controller.runUpkeep();
    const alert =
      'image 15_arm64-base@v1 (current for 15_arm64) has actions runner 2.329.0; GitHub refuses it from 2026-12-01 (in 5 days) because 2.330.0 was released 2026-11-01; ' +
      'prepare a new image with portfarm image prepare --runner-version 2.330.0 and roll it out';
    const snapshot = await status(h);
    assert.deepEqual(snapshot.alerts, [alert]);
    // The alerts pane: one line per alert, cut to the width (enter shows it whole).
    assert.ok(formatStatusText(snapshot, h.controller.url, clock).includes(`! ${alert.slice(0, 120)}`));
    const metrics = await (await fetch(`${h.controller.url}/metrics`, WITH_STATUS_TOKEN)).text();
    assert.match(metrics, /^portfarm_image_runner_expiring\{platform="15_arm64",image="15_arm64-base@v1"\} 1$/m);
    assert.match(metrics, /^portfarm_image_runner_refused\{platform="15_arm64",image="15_arm64-base@v1"\} 0$/m);
    assert.match(metrics, /^portfarm_image_runner_age_days\{platform="15_arm64",image="15_arm64-base@v1"\} 60$/m);
    assert.match(metrics, /^portfarm_image_runner_days_until_refusal\{[^}]*image="15_arm64-base@v1"[^}]*\} 5$/m);

    // v3 rolled out fully: v1 becomes the rollback target, v2 is out of rollout but its VM still runs.
    registry.apply(PLATFORM.name, { kind: 'register', image: version(3, '2.330.0') });
    registry.apply(PLATFORM.name, { kind: 'rollout', version: 3, sharePercent: 100 });
    await h.controller.runUpkeep();
    assert.deepEqual(registry.get(PLATFORM.name).versions.map((v) => v.version), [1, 2, 3], 'v2 is in use by a VM');
    assert.deepEqual((await status(h)).alerts, [], 'v1 left rollout: no runner-age alert for it');

    // The VM ends; v2 is unused but waits the 60-minute grace time before it is deleted.
    h.controller.runners.handleWorkflowJob({
      action: 'completed',
      jobId: 1,
      runId: Number(canaryId.split('-')[1]),
      runAttempt: 1,
      labels: ['self-hosted', PLATFORM.name, `portfarm-build-${canaryId}`],
      runnerId: null,
      runnerName: null,
      conclusion: 'success',
    });
    await h.controller.runners.whenSettled(canaryId);
    await h.controller.runUpkeep();
    assert.deepEqual(registry.get(PLATFORM.name).versions.map((v) => v.version), [1, 2, 3], 'within the grace time');
    clock += 61 * 60_000;
    await h.controller.runUpkeep();
    assert.deepEqual(registry.get(PLATFORM.name).versions.map((v) => v.version), [1, 3], 'v2 collected; v1 (rollback target) and v3 (current) stay');
    assert.ok(h.logs.some((l) => l.msg.startsWith('image version garbage-collected') && l['image'] === imageName(PLATFORM.name, 2)));
  } finally {
    await h.close();
    registry.close();
  }
});

test('serve: a pin in the config overrides the registry; a pin the registry cannot honour is an alert and is not followed', async () => {
  let store: ImageRegistryStore | undefined;
  const h = await startServeHarness({
    images: [PLATFORM.image, ...[1, 2].map((v) => imageName(PLATFORM.name, v))],
    prepare: (stateDir) => {
      store = openImageRegistryStore(join(stateDir, 'images.sqlite'));
      store.apply(PLATFORM.name, { kind: 'register', image: version(1, '2.330.0') });
      store.apply(PLATFORM.name, { kind: 'register', image: version(2, '2.330.0') });
      store.apply(PLATFORM.name, { kind: 'rollout', version: 2, sharePercent: 100 });
    },
    configure: (config) => ({ ...config, images: { ...config.images, pins: { [PLATFORM.name]: { version: 1, canary: { version: 7, sharePercent: 10 } } } } }),
    options: { fetchRunnerReleases: () => Promise.resolve([{ version: '2.330.0', publishedAt: '2026-11-01T00:00:00Z' }]) },
  });
  try {
    const [id = ''] = idsFor(10).canary;
    assert.equal(await cloned(h, id), imageName(PLATFORM.name, 1), 'pinned v1 although the registry says v2; the bad canary is dropped');
    await h.controller.runUpkeep();
    assert.deepEqual((await status(h)).alerts, [
      'images.pins.15_arm64.canary.version: v7 is not in the image registry (known: v1, v2); 15_arm64 runs v1 on every new VM',
    ]);
  } finally {
    await h.close();
    store?.close();
  }
});
