import { dirname, join, resolve } from 'node:path';

/** Where image state lives: beside the controller's state database, in the same folder. */
export function imageStatePaths(cwd: string, statePath: string): { readonly stateDir: string; readonly registry: string } {
  const stateDir = dirname(resolve(cwd, statePath));
  return { stateDir, registry: join(stateDir, 'images.sqlite') };
}
