import type { HostStatus, RunnerStatus, StatusSnapshot } from '../../controller/status/status-snapshot.ts';
import { statusSnapshotSchema } from '../../controller/status/status-snapshot.ts';

/** The clock every frame test runs at. */
export const NOW = Date.parse('2026-11-26T06:00:00Z');


const LOG = 'https://build.macports.org/builders/ports-15_arm64-builder/builds/32503/steps/install-port/logs/stdio';

/** A farm mid-day: 3 hosts on 2 platforms, one runner idle too long, 2 failures, an alert (times relative to `now`). */
export function busyFarm(now = NOW): StatusSnapshot {
  const at = (secondsAgo: number): string => new Date(now - secondsAgo * 1000).toISOString();
  return statusSnapshotSchema.parse({
    generatedAt: at(0),
    controller: { version: '0.1.0', startedAt: at(86400), repo: 'macports/macports-ports' },
    hosts: [
      {
        name: 'mac-mini-1',
        address: '10.0.0.21',
        platforms: ['15_arm64'],
        maxVms: 2,
        diskFreeGiB: 212.4,
        refusing: null,
        slots: [
          { index: 0, state: 'running', vmId: 'pf-15-a1', buildId: 'b-1041', platform: '15_arm64', port: 'py313-numpy', since: at(12 * 60 + 5), image: 'macos-15-base@7' },
          { index: 1, state: 'cloning', vmId: 'pf-15-a2', buildId: 'b-1042', platform: '15_arm64', port: null, since: at(42), image: 'macos-15-base@7' },
        ],
      },
      {
        name: 'mac-mini-2',
        address: '10.0.0.22',
        platforms: ['15_arm64'],
        maxVms: 2,
        diskFreeGiB: 38,
        refusing: 'disk free 38 GiB < 50 GiB',
        slots: [
          { index: 0, state: 'runner-online', vmId: 'pf-15-b1', buildId: 'b-1039', platform: '15_arm64', port: null, since: at(185), image: 'macos-15-base@7' },
          { index: 1, state: 'empty', vmId: null, buildId: null, platform: null, port: null, since: null, image: null },
        ],
      },
      {
        name: 'mac-pro-1',
        address: '10.0.0.31',
        platforms: ['14_x86_64'],
        maxVms: 2,
        diskFreeGiB: null,
        refusing: null,
        slots: [
          { index: 0, state: 'booting', vmId: 'pf-14-c1', buildId: 'b-1043', platform: '14_x86_64', port: null, since: at(20), image: 'macos-14-base@3' },
          { index: 1, state: 'tearing-down', vmId: 'pf-14-c2', buildId: 'b-1038', platform: '14_x86_64', port: 'gcc14', since: at(8), image: 'macos-14-base@3' },
        ],
      },
    ],
    runners: [
      runner(501, 'portfarm-b-1041', 'b-1041', '15_arm64', 'pf-15-a1', { busy: true, registeredAt: at(13 * 60), jobStartedAt: at(12 * 60) }),
      runner(502, 'portfarm-b-1039', 'b-1039', '15_arm64', 'pf-15-b1', { registeredAt: at(190) }),
      runner(503, 'portfarm-b-1043', 'b-1043', '14_x86_64', 'pf-14-c1', { registeredAt: at(25) }),
      runner(499, 'portfarm-b-1030', 'b-1030', '14_x86_64', null, { registeredAt: at(3600), suspicious: 'registration-without-vm' }),
    ],
    queues: [
      {
        platform: '15_arm64',
        running: { buildId: 'b-1041', kind: 'builder', port: 'py313-numpy', portsRevision: '1a2b3c4d5e', state: 'started', enqueuedAt: at(40 * 60) },
        pending: { watchers: 1, builders: 42, pr: 3, estimatedFromWatchers: 17 },
        next: [
          { buildId: 'b-1050', kind: 'watcher', port: null, portsRevision: '9f8e7d6c5b', state: 'pending', enqueuedAt: at(300) },
          { buildId: 'b-1044', kind: 'builder', port: 'py313-scipy', portsRevision: '1a2b3c4d5e', state: 'pending', enqueuedAt: at(2 * 3600) },
          { buildId: 'b-1045', kind: 'builder', port: 'py313-pandas', portsRevision: '1a2b3c4d5e', state: 'pending', enqueuedAt: at(2 * 3600) },
          { buildId: 'b-1046', kind: 'pr-builder', port: 'libfoo', portsRevision: '5555aaaa', state: 'pending', enqueuedAt: at(3600) },
          { buildId: 'b-1047', kind: 'builder', port: 'gdal', portsRevision: '1a2b3c4d5e', state: 'pending', enqueuedAt: at(2 * 3600) },
        ],
        oldestWaitSeconds: 2 * 3600 + 5 * 60,
        lanes: 2,
        inFlight: 2,
        blocked: { total: 312, byPort: [{ port: 'qt6-qtbase', portsRevision: '1a2b3c4d5e', count: 309 }, { port: 'mlx', portsRevision: '1a2b3c4d5e', count: 3 }] },
        waiting: [{ port: 'py313-pandas', waitsFor: 'py313-numpy', reason: 'running' }],
      },
      {
        platform: '14_x86_64',
        running: { buildId: 'b-1043', kind: 'watcher', port: null, portsRevision: '9f8e7d6c5b', state: 'dispatched', enqueuedAt: at(60) },
        pending: { watchers: 0, builders: 0, pr: 0, estimatedFromWatchers: 0 },
        next: [],
        oldestWaitSeconds: null,
        lanes: 1,
        inFlight: 1,
        blocked: { total: 0, byPort: [] },
        waiting: [],
      },
    ],
    failures: [
      { buildId: 'b-1036', port: 'rust', platform: '15_arm64', phase: 'install-port', finishedAt: at(3 * 3600 + 5 * 60), logUrl: LOG },
      { buildId: 'b-1033', port: null, platform: '14_x86_64', phase: 'list-subports', finishedAt: at(26 * 3600), logUrl: null },
    ],
    alerts: ['image macos-14-base@3 has runner 2.319.1, older than the 30-day limit; rebuild the image'],
  });
}

function runner(
  id: number,
  name: string,
  buildId: string,
  platform: string,
  vmId: string | null,
  extra: { busy?: boolean; registeredAt: string; jobStartedAt?: string; suspicious?: RunnerStatus['suspicious'] },
): RunnerStatus {
  return {
    id,
    name,
    buildId,
    platform,
    vmId,
    status: 'online',
    busy: extra.busy ?? false,
    registeredAt: extra.registeredAt,
    jobStartedAt: extra.jobStartedAt ?? null,
    suspicious: extra.suspicious ?? null,
  };
}

/** A controller with no hosts, runners, queues or failures. */
export function emptyFarm(): StatusSnapshot {
  return { ...busyFarm(), hosts: [], runners: [], queues: [], failures: [], alerts: [] };
}

/** 20 hosts, each with both slots running a build. */
export function twentyHosts(): StatusSnapshot {
  const at = (secondsAgo: number): string => new Date(NOW - secondsAgo * 1000).toISOString();
  const hosts: HostStatus[] = Array.from({ length: 20 }, (_, i) => ({
    name: `mac-${String(i + 1).padStart(2, '0')}`,
    address: `10.0.1.${i + 1}`,
    platforms: [i % 2 === 0 ? '15_arm64' : '14_x86_64'],
    maxVms: 2,
    diskFreeGiB: 100 + i,
    refusing: null,
    slots: [0, 1].map((index) => ({
      index,
      state: 'running' as const,
      vmId: `vm-${i}-${index}`,
      buildId: `b-${2000 + i * 2 + index}`,
      platform: i % 2 === 0 ? '15_arm64' : '14_x86_64',
      port: `port-${i * 2 + index}`,
      since: at((i * 2 + index) * 60),
      image: 'macos-15-base@7',
    })),
  }));
  return { ...busyFarm(), hosts };
}

/** Names longer than any column: they must be cut with "…", never wrap or push columns. */
export function longNames(): StatusSnapshot {
  const farm = busyFarm();
  const [first] = farm.hosts;
  if (first === undefined) throw new Error('fixture has hosts');
  const slots = first.slots.map((s) => ({ ...s, port: s.port === null ? null : 'py313-jupyterlab-server-extension-with-a-very-long-name' }));
  return {
    ...farm,
    hosts: [{ ...first, name: 'mac-studio-in-the-basement-rack-7-left', slots }],
    runners: farm.runners.map((r) => ({ ...r, name: `${r.name}-with-an-unusually-long-registration-name` })),
  };
}
