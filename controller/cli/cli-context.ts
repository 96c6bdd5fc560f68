import type { Readable, Writable } from 'node:stream';

/** What a subcommand may touch of the outside world, passed in so tests can run the CLI in-process. */
export interface CliContext {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly stdout: Writable & { readonly isTTY?: boolean; readonly columns?: number; readonly rows?: number };
  readonly stderr: Writable;
  /** The keyboard for interactive subcommands (the TUI); tests pass a stream of their own. */
  readonly stdin: Readable & { readonly isTTY?: boolean };
  /** Aborted on SIGINT/SIGTERM by the entry point; long-running subcommands stop on it. */
  readonly signal: AbortSignal;
}
