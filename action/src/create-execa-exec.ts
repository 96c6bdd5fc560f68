import { execa } from 'execa';
import { coerceError } from '../../controller/model/coerce-error.ts';
import type { Exec } from './exec.ts';

/** The real `Exec`: execa, never rejecting (the exit code is mapped by the caller), lines streamed as they come. */
export function createExecaExec(): Exec {
  return async (file, args, options) => {
    try {
      const result = await execa(file, [...args], {
        reject: false,
        stdin: 'ignore',
        ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
        stdout: [
          function* (line: unknown) {
            options.onLine(String(line), 'stdout');
            yield line;
          },
        ],
        stderr: [
          function* (line: unknown) {
            options.onLine(String(line), 'stderr');
            yield line;
          },
        ],
      });
      const failure = result.failed && result.exitCode === undefined ? new Error(result.shortMessage, { cause: result.cause }) : undefined;
      return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr, ...(failure === undefined ? {} : { failure }) };
    } catch (error) {
      return { exitCode: undefined, stdout: '', stderr: '', failure: coerceError(error) };
    }
  };
}
