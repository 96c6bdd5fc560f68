import type { PlatformConfig } from '../../../controller/config/config-schema.ts';

/**
 * The farm's platforms: 15_arm64 on two hosts, 14_x86_64 on one (as the demo's defaults), and
 * for `count` above 2 (fake backend) older macOS releases on one host each; every platform
 * takes `parallelBuilds` runs at once.
 */
export function farmPlatforms(backend: 'orchard' | 'fake', count: number, parallelBuilds: number): PlatformConfig[] {
  const platforms: PlatformConfig[] = [
    { name: '15_arm64', labels: ['macos-15', 'arm64'], image: 'macos-15-base', backend, parallelBuilds, hosts: [{ name: 'mini-1', address: '127.0.0.1', maxVms: 2 }, { name: 'mini-2', address: '127.0.0.1', maxVms: 2 }] },
    { name: '14_x86_64', labels: ['macos-14', 'x86_64'], image: 'macos-14-base', backend, parallelBuilds, hosts: [{ name: 'pro-1', address: '127.0.0.1', maxVms: 2 }] },
  ];
  for (let i = 2; i < count; i += 1) {
    const major = 15 - i;
    const arch = i % 2 === 0 ? 'arm64' : 'x86_64';
    platforms.push({ name: major >= 11 ? `${major}_${arch}` : `10.${major + 5}_${arch}`, labels: [], image: 'macos-15-base', backend, parallelBuilds, hosts: [{ name: `host-${i}`, address: '127.0.0.1', maxVms: 2 }] });
  }
  return platforms;
}
