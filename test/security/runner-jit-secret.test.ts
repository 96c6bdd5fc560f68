import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VmBackendError } from '../../controller/runners/backends/vm-backend.ts';
import { createRunnerFarm, waitFor } from '../runners/runner-farm.ts';

/**
 * The JIT config is a runner's credential until the runner connects: whoever reads it can take
 * the build's job. It must never be on a command line (`ps` on the host and in the VM), in a log
 * line, an error, or the status answer.
 */

/** The secret and the pieces a tool that wraps base64 cuts it into: none may appear anywhere. */
function forms(secret: string): string[] {
  const pieces = [secret];
  for (let at = 0; at + 16 <= secret.length; at += 16) pieces.push(secret.slice(at, at + 16));
  return pieces;
}

function leaks(secret: string, where: Readonly<Record<string, string>>): string[] {
  const found: string[] = [];
  for (const [name, text] of Object.entries(where)) {
    for (const piece of forms(secret)) if (text.includes(piece)) found.push(`${name} contains ${piece === secret ? 'the JIT config' : `a piece of it (${piece})`}`);
  }
  return found;
}

test('the JIT config reaches the runner on stdin only: no argv, env, log line or status answer holds it or a piece of it', async () => {
  const { manager, backend, github, logs } = createRunnerFarm();
  github.behaviour.autoComplete = false;
  await manager.start();
  const job = github.queue('s1', '15_arm64');
  await waitFor(() => job.state === 'in_progress', 'job taken');
  const status = JSON.stringify({ hosts: manager.hostsStatus(), runners: manager.runnersStatus(), leases: manager.leases() });
  github.complete('s1');
  await manager.whenSettled('s1');
  const [start] = backend.runnerStarts;
  assert.ok(start !== undefined && start.encodedJitConfig.length > 32, 'the runner got its JIT config');
  assert.equal(job.runnerName, start.vmId, 'and took its job with it');
  assert.deepEqual(
    leaks(start.encodedJitConfig, {
      argv: JSON.stringify(backend.commandLines.map((c) => c.argv)),
      env: JSON.stringify(backend.commandLines.map((c) => c.env)),
      logs: JSON.stringify(logs),
      status,
    }),
    [],
  );
  assert.ok(backend.commandLines.some((c) => c.argv.join(' ').includes('ACTIONS_RUNNER_INPUT_JITCONFIG')), 'the runner command reads the variable from stdin');
  await manager.stop();
});

test('a runner command that fails with the JIT config in its error (message and cause) leaves none of it in logs or the build\'s failure', async () => {
  const { manager, backend, logs, failures, nextFailure, github } = createRunnerFarm();
  // What execa's error for a command that cannot start looks like: the command line (and, for
  // a script, its input) in the message and in the cause.
  backend.onRunnerStart = (jit, vmId) => {
    throw new VmBackendError(`could not run run.sh for VM ${vmId}: Command failed: run.sh --jitconfig ${jit}`, {
      retryable: true,
      vmId,
      cause: new Error(`spawn run.sh ENOENT; input ${jit.slice(0, 64)}\n${jit.slice(64)}`),
    });
  };
  await manager.start();
  const failed = nextFailure();
  github.queue('s2', '15_arm64');
  const failure = await failed;
  await manager.whenSettled('s2');
  assert.equal(backend.runnerStarts.length, 2, 'both attempts started a runner that failed');
  assert.match(failure.reason, /^vm-backend: the VM backend failed: could not run run\.sh for VM portfarm-s2-2-[a-z0-9]{4}: Command failed: run\.sh --jitconfig \[redacted\]$/);
  for (const start of backend.runnerStarts) {
    assert.deepEqual(leaks(start.encodedJitConfig, { logs: JSON.stringify(logs), failures: JSON.stringify(failures) }), []);
  }
  assert.ok(logs.some((l) => JSON.stringify(l).includes('spawn run.sh ENOENT; input [redacted]')), 'the cause is still logged, redacted');
  await manager.stop();
});
