import type { EtaAnswer } from '../eta/eta-answer.ts';

/** What the TUI knows of the estimate of the port it shows. */
export interface PortEtaState {
  readonly port: string | null;
  readonly answer: EtaAnswer | null;
  /** Why there is no answer (the controller unreachable, a refusal); null while asking or answered. */
  readonly error: string | null;
}

export type AskEta = (port: string, signal: AbortSignal) => Promise<EtaAnswer>;

const NOTHING: PortEtaState = { port: null, answer: null, error: null };

/**
 * Holds the estimate of the port whose details are open, outside React (subscribe/getSnapshot
 * for useSyncExternalStore). `show` asks the controller once and again every `refreshMs` while
 * the port stays shown; an answer for a port no longer shown is dropped.
 */
export class PortEtaStore {
  readonly #ask: AskEta;
  readonly #refreshMs: number;
  #state: PortEtaState = NOTHING;
  readonly #listeners = new Set<() => void>();
  #current: AbortController | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(ask: AskEta, refreshMs = 30_000) {
    this.#ask = ask;
    this.#refreshMs = refreshMs;
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  readonly getSnapshot = (): PortEtaState => this.#state;

  /** Shows `port` (asking its estimate), or nothing. */
  show(port: string | null): void {
    if (port === this.#state.port) return;
    this.#stop();
    this.#set(port === null ? NOTHING : { port, answer: null, error: null });
    if (port !== null) this.#fetch(port);
  }

  close(): void {
    this.show(null);
  }

  #fetch(port: string): void {
    const controller = new AbortController();
    this.#current = controller;
    this.#ask(port, controller.signal).then(
      (answer) => {
        if (controller.signal.aborted) return;
        this.#set({ port, answer, error: null });
      },
      (caught: unknown) => {
        if (controller.signal.aborted) return;
        this.#set({ port, answer: this.#state.answer, error: caught instanceof Error ? caught.message : String(caught) });
      },
    ).finally(() => {
      if (controller.signal.aborted) return;
      this.#timer = setTimeout(() => { this.#fetch(port); }, this.#refreshMs);
      this.#timer.unref();
    });
  }

  #stop(): void {
    this.#current?.abort();
    this.#current = undefined;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #set(state: PortEtaState): void {
    this.#state = state;
    for (const listener of this.#listeners) listener();
  }
}
