import type { ImageVersion, PlatformImages } from './image-registry.ts';

export interface ImageGcPlan {
  readonly remove: readonly ImageVersion[];
  /** Versions kept, each with why: what an operator sees in `image list`. */
  readonly keep: readonly { readonly version: number; readonly reason: string }[];
}

/**
 * Which image versions can be deleted: older than current, not the canary, not the rollback
 * target, and cloned by no live VM (`inUse`: image names of every VM the backends list).
 * Versions newer than current wait for their rollout and are kept.
 */
export function planImageGc(state: PlatformImages, inUse: ReadonlySet<string>): ImageGcPlan {
  const rollbackTarget = state.history.at(-1);
  const remove: ImageVersion[] = [];
  const keep: { version: number; reason: string }[] = [];
  for (const v of state.versions) {
    const reason =
      v.version === state.current
        ? 'current'
        : v.version === state.canary?.version
          ? 'canary'
          : v.version === rollbackTarget
            ? 'rollback target'
            : inUse.has(v.image)
              ? 'in use by a VM'
              : state.current === null || v.version > state.current
                ? 'not rolled out yet'
                : null;
    if (reason === null) remove.push(v);
    else keep.push({ version: v.version, reason });
  }
  return { remove, keep };
}
