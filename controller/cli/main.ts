// The `portfarm` executable: the one place that touches process globals for the CLI.
import { runCli } from './run-cli.ts';

const controller = new AbortController();
let signals = 0;
const onSignal = (): void => {
  signals += 1;
  // First SIGINT/SIGTERM: graceful (subcommands stop on the signal); second: forceful.
  if (signals === 1) controller.abort(new Error('interrupted'));
  else process.exit(130);
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

process.exitCode = await runCli(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  signal: controller.signal,
});
process.off('SIGINT', onSignal);
process.off('SIGTERM', onSignal);
// Work is done and every stream was awaited; a helper's idle child (esbuild's service) or a
// keep-alive socket must not hold the shell for another 30 s.
process.stdout.write('', () => process.exit());
