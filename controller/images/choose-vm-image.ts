import type { PlatformImages } from './image-registry.ts';
import { selectImage } from './select-image.ts';

/**
 * The image name the runner manager clones a new VM from: the rollout's choice (current or
 * canary) once the platform has prepared images, else the image configured for the platform.
 * Call it once per VM and keep the answer for the VM's life (`slots[].image`).
 */
export function chooseVmImage(state: PlatformImages, configuredImage: string, buildId: string): string {
  return selectImage(state, buildId)?.image ?? configuredImage;
}
