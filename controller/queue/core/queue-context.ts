import type { BuildId } from '../../model/build-id.ts';

/** What a core operation gets from outside: the time and a source of fresh build ids. */
export interface QueueContext {
  readonly now: number;
  readonly newBuildId: () => BuildId;
}
