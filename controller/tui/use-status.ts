import { useSyncExternalStore } from 'react';
import type { StatusState } from './status-state.ts';
import type { StatusStore } from './status-store.ts';

export function useStatus(store: StatusStore): StatusState {
  return useSyncExternalStore(store.subscribe, store.getSnapshot);
}
