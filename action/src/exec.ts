/** How the action runs a program: injected, so tests and `main.ts` can give real execa or a recorder. */
export type Exec = (
  file: string,
  args: readonly string[],
  options: { readonly onLine: (line: string, stream: 'stdout' | 'stderr') => void; readonly cwd?: string },
) => Promise<ExecResult>;

export interface ExecResult {
  /** undefined when the program could not be started or was killed by a signal. */
  readonly exitCode: number | undefined;
  readonly stdout: string;
  readonly stderr: string;
  /** Set when the program did not run to an exit code (not found, killed). */
  readonly failure?: Error;
}
