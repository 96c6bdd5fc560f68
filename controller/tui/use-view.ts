import { useSyncExternalStore } from 'react';
import type { ViewState } from './view-state.ts';
import type { ViewStore } from './view-store.ts';

export function useView(store: ViewStore): ViewState {
  return useSyncExternalStore(store.subscribe, store.getSnapshot);
}
