// The `portfarm` executable: the one place that touches process globals for the CLI.
import { Interrupted, signalExitCode, type StopSignal } from '../errors/interrupted.ts';
import { runCli } from './run-cli.ts';

const controller = new AbortController();
let signals = 0;
const onSignal = (signal: StopSignal): void => {
  signals += 1;
  // First SIGINT/SIGTERM: graceful (subcommands stop on the signal and say what it left); second: forceful.
  if (signals === 1) controller.abort(new Interrupted(signal));
  else process.exit(signalExitCode(signal));
};
const onSigint = (): void => { onSignal('SIGINT'); };
const onSigterm = (): void => { onSignal('SIGTERM'); };
process.on('SIGINT', onSigint);
process.on('SIGTERM', onSigterm);

process.exitCode = await runCli(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  signal: controller.signal,
});
process.off('SIGINT', onSigint);
process.off('SIGTERM', onSigterm);
// Work is done and every stream was awaited; a helper's idle child (esbuild's service) or a
// keep-alive socket must not hold the shell for another 30 s.
process.stdout.write('', () => process.exit());
