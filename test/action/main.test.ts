import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MPBB_DOUBLE, tempDir } from './fixtures.ts';
import { ACTION_DEFAULTS, runAction } from './run-action.ts';

const base = { platform: '15_arm64', ...ACTION_DEFAULTS };

test('the bundled action: a failing install-port logs a group, annotates port and phase, writes outputs and the summary, exits 1', async () => {
  const workDir = tempDir('work');
  const checkout = await runAction({ ...base, step: 'checkout', 'build-id': 'b-11', port: 'unrar', 'work-dir': workDir, 'ports-sha': '70b44a41bbbb627007b18ae0551cddb24c009bf2' });
  assert.equal(checkout.exitCode, 0, checkout.stdout);
  const run = await runAction({ ...base, step: 'install-port', 'build-id': 'b-11', port: 'unrar', 'work-dir': workDir }, { MPBB_DOUBLE_FAIL: 'unrar:install-port' });
  assert.equal(run.exitCode, 1);
  // Without the lines that stop and resume workflow commands around a group's output (create-core-reporter.ts).
  const lines = run.stdout.split('\n').filter((line) => !/^::(stop-commands::.+|[0-9a-f-]{36}::)$/.test(line));
  assert.deepEqual(lines.slice(0, 3), ['::group::mpbb print-info -- unrar', '::endgroup::', '::group::mpbb install-port -- unrar']);
  assert.equal(
    lines.at(-1),
    `::error title=unrar in install-port failed (15_arm64)::unrar in install-port failed on 15_arm64 (mpbb exit 1):%0A--->  Computing dependencies for unrar%0A--->  Fetching distfiles for unrar%0A--->  Verifying checksums for unrar%0A--->  Extracting unrar%0A--->  Configuring unrar%0A--->  Building unrar%0Aunrar.c:42:10: fatal error: 'openssl/ssl.h' file not found%0A1 error generated.%0AFailed to build unrar: command execution failed%0ABuild of 'unrar' failed.%0A${MPBB_DOUBLE}: error: \`install-port' failed to run successfully`,
  );
  assert.deepEqual(run.outputs, {
    result: 'failure',
    'log-url': 'https://build.macports.org/builds/b-11/steps/install-port/logs/stdio',
    retryable: 'false',
    'failed-phase': 'install-port',
  });
  assert.match(run.summary, /^### portfarm builder · unrar · 15_arm64 · install-port\n/);
  assert.match(run.summary, /\| port \| unrar @7\.2\.7_0 \|/);
  assert.match(run.summary, /\| result \| ❌ failure \(permanent: needs a change to the port or the inputs\) \|/);
});

test('the bundled action: a bad input fails the step naming the input, before running anything', async () => {
  const run = await runAction({ ...base, step: 'install-port', 'build-id': 'b-12', port: '../../etc/passwd' });
  assert.equal(run.exitCode, 1);
  assert.equal(
    run.stdout.trim(),
    '::error title=bad action input (permanent)::bad action input: input "port" ("../../etc/passwd") port name "../../etc/passwd" contains "/"; give the port\'s name (e.g. curl), not its path (fix the step\'s `with:` in the workflow)',
  );
  assert.deepEqual(run.outputs, { result: 'failure' });
});
