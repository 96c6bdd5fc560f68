import type { Exec, ExecResult } from './exec.ts';
import type { StepReporter } from './step-reporter.ts';
import { StepFailure } from './step-failure.ts';

export interface MpbbCall {
  readonly exec: Exec;
  readonly reporter: StepReporter;
  /** Path of mpbb (the `mpbb` input). */
  readonly mpbb: string;
  readonly prefix: string;
  readonly workDir: string;
  readonly subcommand: string;
  readonly args: readonly string[];
  /** For messages: the port this call is about, and the platform. */
  readonly port: string | undefined;
  readonly platform: string;
  /** Lines of stderr/stdout to pass through; default all. list-subports keeps its stdout out of the log group. */
  readonly quiet?: boolean;
}

/** The last lines of a failing call's output, for the annotation and the failure mail. */
export function tailOf(result: Pick<ExecResult, 'stdout' | 'stderr'>, lines = 20): string {
  const all = `${result.stdout}\n${result.stderr}`.split('\n').filter((line) => line.trim() !== '');
  return all.slice(-lines).join('\n');
}

/**
 * Runs one mpbb subcommand inside a log group and maps its exit status to a `StepFailure`:
 * 2 = mpbb rejected the command line (permanent: an input is wrong), 3 = mpbb internal error
 * (retryable: the VM or MacPorts setup is broken), any other non-zero = the port failed
 * (permanent for this ports revision). Output is streamed to the log as it comes.
 */
export async function runMpbb(call: MpbbCall): Promise<ExecResult> {
  const globalArgs = [`--prefix=${call.prefix}`, ...(call.workDir === '' ? [] : [`--work-dir=${call.workDir}`])];
  const argv = [...globalArgs, call.subcommand, ...call.args];
  const shown = [call.subcommand, ...call.args].join(' ');
  call.reporter.startGroup(`mpbb ${shown}`);
  let result: ExecResult;
  try {
    result = await call.exec(call.mpbb, argv, {
      onLine: (line) => {
        if (call.quiet !== true) call.reporter.info(line);
      },
    });
  } finally {
    call.reporter.endGroup();
  }
  const what = call.port === undefined ? call.subcommand : `${call.port} in ${call.subcommand}`;
  if (result.failure !== undefined) {
    const notFound = (result.failure as { code?: unknown }).code === 'ENOENT' || /ENOENT/.test(result.failure.message);
    throw new StepFailure(
      notFound
        ? `mpbb was not found at "${call.mpbb}"; set the action's \`mpbb\` input to the mpbb executable (the workflow's "fetch mpbb" step clones it to $RUNNER_TEMP/mpbb/mpbb)`
        : `mpbb ${shown} did not finish: ${result.failure.message}; re-run the job (retryable)`,
      { title: `mpbb ${call.subcommand} did not run (${call.platform})`, phase: call.subcommand, retryable: !notFound, port: call.port, cause: result.failure },
    );
  }
  switch (result.exitCode) {
    case 0:
      return result;
    case 2:
      throw new StepFailure(
        `mpbb rejected the command line \`mpbb ${argv.join(' ')}\` (exit 2, usage error): ${tailOf(result, 3)}; check the action's inputs for this step (permanent)`,
        { title: `mpbb ${call.subcommand}: usage error (${call.platform})`, phase: call.subcommand, retryable: false, port: call.port, exitCode: 2 },
      );
    case 3:
      throw new StepFailure(
        `mpbb ${shown} hit an internal error (exit 3): ${tailOf(result, 3)}; the VM's MacPorts or mpbb setup is broken, not the port — re-run the job (retryable)`,
        { title: `mpbb ${call.subcommand}: internal error (${call.platform})`, phase: call.subcommand, retryable: true, port: call.port, exitCode: 3 },
      );
    default:
      throw new StepFailure(`${what} failed on ${call.platform} (mpbb exit ${String(result.exitCode)}):\n${tailOf(result)}`, {
        title: `${what} failed (${call.platform})`,
        phase: call.subcommand,
        retryable: false,
        port: call.port,
        exitCode: result.exitCode,
      });
  }
}
