/**
 * A controller process for the kill -9 test: a runner manager on the tart backend (fake tart
 * CLI, state on disk) and the GitHub double's runner API, fed one queued job. It logs JSON
 * lines on stdout; the test kills it with SIGKILL at a chosen log line.
 */
import { pino } from 'pino';
import { killNineManager, type KillNineFarm } from './kill-nine-manager.ts';

export interface KillNineChildArgs extends KillNineFarm {
  readonly buildId: string;
}

const args = JSON.parse(process.argv[2] ?? '{}') as KillNineChildArgs;
const { manager } = killNineManager(args, {
  logger: pino({ base: null, timestamp: false }),
  // The "runner" never connects: the VM and its registration stay until the kill.
  runnerCommand: ['sleep', '600'],
});
// The manager's own timers are unref'ed and `tart run` is detached: in `serve` the HTTP server keeps
// the process alive. Here nothing else would, and the child exited silently while polling for the boot.
setInterval(() => undefined, 1 << 30);
await manager.start();
manager.handleWorkflowJob({
  action: 'queued',
  jobId: 1,
  runId: 1,
  runAttempt: 1,
  labels: ['self-hosted', '15_arm64', `portfarm-build-${args.buildId}`],
  runnerId: null,
  runnerName: null,
  conclusion: null,
});
