import type { ImagesConfig } from '../config/config-schema.ts';
import type { PlatformImages } from './image-registry.ts';

export type ImagePin = ImagesConfig['pins'][string];

/**
 * The rollout state new VMs follow: the registry's, or the config's pin (`images.pins.<platform>`)
 * over it. A pin naming a version the registry does not have is not followed (new VMs keep the
 * registry's choice) and comes back as a problem for the alerts. Pure.
 */
export function applyImagePin(state: PlatformImages, pin: ImagePin | undefined): { readonly state: PlatformImages; readonly problems: readonly string[] } {
  if (pin === undefined) return { state, problems: [] };
  const known = state.versions.map((v) => `v${v.version}`).join(', ') || 'none (run portfarm image prepare)';
  const has = (version: number): boolean => state.versions.some((v) => v.version === version);
  const key = `images.pins.${state.platform}`;
  if (!has(pin.version)) {
    return {
      state,
      problems: [`${key}.version: v${pin.version} is not in the image registry (known: ${known}); new VMs of ${state.platform} ignore the pin until it names a registered version`],
    };
  }
  const canary = pin.canary;
  if (canary !== undefined && !has(canary.version)) {
    return {
      state: { ...state, current: pin.version, canary: null },
      problems: [`${key}.canary.version: v${canary.version} is not in the image registry (known: ${known}); ${state.platform} runs v${pin.version} on every new VM`],
    };
  }
  return { state: { ...state, current: pin.version, canary: canary === undefined ? null : { version: canary.version, sharePercent: canary.sharePercent } }, problems: [] };
}
