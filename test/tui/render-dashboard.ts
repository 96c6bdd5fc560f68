import { render } from 'ink-testing-library';
import React from 'react';
import type { StatusSnapshot } from '../../controller/status/status-snapshot.ts';
import type { PortEtaStore } from '../../controller/tui/port-eta-store.ts';
import { StatusStore } from '../../controller/tui/status-store.ts';
import { ThemeContext } from '../../controller/tui/theme-context.ts';
import { TuiApp } from '../../controller/tui/TuiApp.ts';
import { ViewStore } from '../../controller/tui/view-store.ts';
import { NOW } from './status-fixtures.ts';

export const URL = 'http://127.0.0.1:8080';

export interface RenderedDashboard {
  readonly statusStore: StatusStore;
  readonly viewStore: ViewStore;
  readonly frame: () => string;
  readonly press: (data: string) => Promise<string>;
  readonly unmount: () => void;
  readonly exited: () => boolean;
}

/** Renders the TUI at 80×24 (or `size`) with the given snapshot at the fixed clock NOW. */
export async function renderDashboard(
  snapshot: StatusSnapshot | null,
  options: { color?: boolean; columns?: number; rows?: number; etaStore?: PortEtaStore } = {},
): Promise<RenderedDashboard> {
  const statusStore = new StatusStore(URL, NOW, 2000);
  if (snapshot !== null) statusStore.receive(snapshot, NOW, 'events');
  const viewStore = new ViewStore();
  const size = { columns: options.columns ?? 80, rows: options.rows ?? 24 };
  const app = render(
    React.createElement(
      ThemeContext.Provider,
      { value: { color: options.color ?? false } },
      React.createElement(TuiApp, { statusStore, viewStore, size, ...(options.etaStore === undefined ? {} : { etaStore: options.etaStore }) }),
    ),
  );
  const frame = (): string => app.lastFrame() ?? '';
  // ink reads keys from 'readable' once its input effect ran; keys written before are lost.
  await waitFor(() => app.stdin.listenerCount('readable') > 0, 'ink listens to stdin');
  return {
    statusStore,
    viewStore,
    frame,
    press: async (data: string) => {
      const before = app.frames.length;
      const view = viewStore.getSnapshot();
      app.stdin.write(data);
      await waitFor(
        () => app.frames.length > before || viewStore.getSnapshot() !== view || app.stdin.listenerCount('readable') === 0,
        `a key (${JSON.stringify(data)}) was handled`,
      );
      return frame();
    },
    unmount: () => {
      app.unmount();
    },
    // ink's exit() unmounts the app, which stops reading stdin.
    exited: () => app.stdin.listenerCount('readable') === 0,
  };
}

/** Polls `condition` on every turn of the event loop until it holds (5 s overall limit). */
export async function waitFor(condition: () => boolean, what: string, limitMs = 5000): Promise<void> {
  const deadline = performance.now() + limitMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}
