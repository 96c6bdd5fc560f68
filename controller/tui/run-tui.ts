import { render } from 'ink';
import React from 'react';
import { fetchEtaAnswer } from '../eta/fetch-eta-answer.ts';
import { PortEtaStore } from './port-eta-store.ts';
import { runStatusPoller } from './run-status-poller.ts';
import { StatusStore } from './status-store.ts';
import { ThemeContext } from './theme-context.ts';
import { TuiApp } from './TuiApp.ts';
import { ViewStore } from './view-store.ts';

const h = React.createElement;

export interface RunTuiOptions {
  readonly url: string;
  /** The controller's status token (sent as Authorization: Bearer). */
  readonly token?: string;
  readonly stdin: NodeJS.ReadStream;
  readonly stdout: NodeJS.WriteStream;
  readonly signal: AbortSignal;
  /** False under NO_COLOR. */
  readonly color: boolean;
  readonly intervalMs?: number;
}

/**
 * The interactive dashboard: the poller fills the status store, ink draws it, keys go to the
 * view store. Resolves when the operator quits (q, ctrl-c) or `signal` aborts; the poller
 * stops with it.
 */
export async function runTui(options: RunTuiOptions): Promise<void> {
  const intervalMs = options.intervalMs ?? 2000;
  const stop = new AbortController();
  const signal = AbortSignal.any([options.signal, stop.signal]);
  const statusStore = new StatusStore(options.url, Date.now(), intervalMs);
  const viewStore = new ViewStore();
  const etaStore = new PortEtaStore((port, asked) => fetchEtaAnswer(options.url, { port }, AbortSignal.any([signal, asked]), options.token));
  const poller = runStatusPoller({ url: options.url, ...(options.token === undefined ? {} : { token: options.token }), store: statusStore, signal, intervalMs });
  const app = render(h(ThemeContext.Provider, { value: { color: options.color } }, h(TuiApp, { statusStore, viewStore, etaStore })), {
    stdin: options.stdin,
    stdout: options.stdout,
    exitOnCtrlC: true,
    patchConsole: false,
  });
  const onAbort = (): void => {
    app.unmount();
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    await app.waitUntilExit();
  } finally {
    signal.removeEventListener('abort', onAbort);
    stop.abort();
    etaStore.close();
    await poller;
  }
}
