import { dirname, join, resolve } from 'node:path';

/**
 * Where image state lives: beside the controller's state database, in the same folder; the
 * registry at `images.registryPath` when the config names one (serve and the image CLI must agree).
 */
export function imageStatePaths(cwd: string, statePath: string, registryPath?: string): { readonly stateDir: string; readonly registry: string } {
  const stateDir = dirname(resolve(cwd, statePath));
  return { stateDir, registry: registryPath === undefined ? join(stateDir, 'images.sqlite') : resolve(cwd, registryPath) };
}
