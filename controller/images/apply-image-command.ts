import { UserError } from '../errors/user-error.ts';
import type { ImageVersion, PlatformImages } from './image-registry.ts';

export type ImageCommand =
  | { readonly kind: 'register'; readonly image: ImageVersion }
  /** sharePercent 100 makes the version current at once; 1–99 canaries it. */
  | { readonly kind: 'rollout'; readonly version: number; readonly sharePercent: number }
  | { readonly kind: 'promote' }
  | { readonly kind: 'rollback' }
  /** After garbage collection deleted the image from the backend. */
  | { readonly kind: 'forget'; readonly version: number };

/**
 * The rollout state machine: register → (canary → promote | rollback) → current; rollback
 * without a canary returns to the previous current. Pure: the caller persists the result in one
 * transaction. Invalid transitions throw a UserError that says what state blocks them.
 */
export function applyImageCommand(state: PlatformImages, command: ImageCommand): PlatformImages {
  const p = state.platform;
  switch (command.kind) {
    case 'register': {
      const image = command.image;
      if (image.platform !== p) throw new UserError(`image ${image.image} is for ${image.platform}, not ${p}`);
      if (image.version !== state.nextVersion) {
        throw new UserError(`image version v${image.version} for ${p} is out of sequence; the next version is v${state.nextVersion}`);
      }
      const versions = [...state.versions, image];
      // The first image of a platform has nothing to canary against: it becomes current.
      const current = state.current ?? image.version;
      return { ...state, versions, current, nextVersion: image.version + 1 };
    }
    case 'rollout': {
      const { version, sharePercent } = command;
      requireVersion(state, version);
      if (!Number.isInteger(sharePercent) || sharePercent < 1 || sharePercent > 100) {
        throw new UserError(`share ${sharePercent} is not a whole percent from 1 to 100; use e.g. --share 10 for a canary or 100 to roll out fully`);
      }
      if (version === state.current) throw new UserError(`${p} v${version} is already current; nothing to roll out`);
      if (state.canary !== null && state.canary.version !== version) {
        throw new UserError(`${p} is canarying v${state.canary.version}; promote it or roll it back before rolling out v${version}`);
      }
      if (sharePercent === 100) return makeCurrent(state, version);
      return { ...state, canary: { version, sharePercent } };
    }
    case 'promote': {
      if (state.canary === null) throw new UserError(`${p} has no canary to promote; start one with portfarm image rollout --image-version N --share 10`);
      return makeCurrent(state, state.canary.version);
    }
    case 'rollback': {
      if (state.canary !== null) return { ...state, canary: null };
      const previous = state.history.at(-1);
      if (previous === undefined) throw new UserError(`${p} has no earlier image to roll back to (current: ${describe(state.current)})`);
      return { ...state, current: previous, history: state.history.slice(0, -1) };
    }
    case 'forget': {
      const { version } = command;
      requireVersion(state, version);
      if (version === state.current || version === state.canary?.version) {
        throw new UserError(`${p} v${version} is in rollout (current or canary); it cannot be forgotten`);
      }
      return {
        ...state,
        versions: state.versions.filter((v) => v.version !== version),
        history: state.history.filter((v) => v !== version),
      };
    }
  }
}

function makeCurrent(state: PlatformImages, version: number): PlatformImages {
  const history = state.current === null ? state.history : [...state.history, state.current];
  return { ...state, current: version, canary: null, history };
}

function requireVersion(state: PlatformImages, version: number): void {
  if (!state.versions.some((v) => v.version === version)) {
    const known = state.versions.map((v) => `v${v.version}`).join(', ');
    throw new UserError(`${state.platform} has no image v${version}; known: ${known === '' ? '(none; run portfarm image prepare)' : known}`);
  }
}

function describe(version: number | null): string {
  return version === null ? 'none' : `v${version}`;
}
