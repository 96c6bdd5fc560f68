import { applyImageCommand } from '../../controller/images/apply-image-command.ts';
import { emptyPlatformImages, imageName, type ImageVersion, type PlatformImages } from '../../controller/images/image-registry.ts';

export function imageVersion(version: number, overrides: Partial<ImageVersion> = {}): ImageVersion {
  return {
    platform: '15_arm64',
    version,
    image: imageName('15_arm64', version),
    backend: 'tart',
    runnerVersion: '2.330.0',
    macportsVersion: '2.11.5',
    createdAt: '2026-11-01T00:00:00.000Z',
    preparedFrom: 'macos-15-vanilla',
    ...overrides,
  };
}

/** A platform with versions 1..n registered (v1 current). */
export function registered(n: number): PlatformImages {
  let state = emptyPlatformImages('15_arm64');
  for (let v = 1; v <= n; v += 1) state = applyImageCommand(state, { kind: 'register', image: imageVersion(v) });
  return state;
}
