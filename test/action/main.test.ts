import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { MPBB_DOUBLE, TEST_PATH, tempDir } from './fixtures.ts';

/**
 * Runs the committed bundle (action/dist/index.js, what GitHub runs) the way a runner does:
 * inputs as INPUT_* variables, outputs and the summary through the files the runner reads.
 */
async function runAction(inputs: Record<string, string>, extraEnv: Record<string, string> = {}) {
  const dir = tempDir('runner');
  const outputFile = join(dir, 'output');
  const summaryFile = join(dir, 'summary.md');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  const env: Record<string, string> = {
    PATH: TEST_PATH,
    HOME: dir,
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: 'workflow_dispatch',
    GITHUB_REPOSITORY: 'macports/macports-ports',
    GITHUB_RUN_ID: '9100200300',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    RUNNER_TEMP: dir,
    ...extraEnv,
  };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  const result = await execa('node', [resolve('action/dist/index.js')], { env, extendEnv: false, reject: false, cwd: dir });
  const outputs: Record<string, string> = {};
  // $GITHUB_OUTPUT uses name<<delimiter\nvalue\ndelimiter blocks.
  for (const match of readFileSync(outputFile, 'utf8').matchAll(/^([\w-]+)<<(\S+)\n([\s\S]*?)\n\2$/gm)) outputs[match[1] ?? ''] = match[3] ?? '';
  return { exitCode: result.exitCode, stdout: result.stdout, outputs, summary: readFileSync(summaryFile, 'utf8'), dir };
}

const base = { platform: '15_arm64', mpbb: MPBB_DOUBLE, prefix: '/opt/local', 'ports-url': 'https://github.com/macports/macports-ports.git', force: 'false', 'hand-off': 'true', audience: 'portfarm', 'archive-site': 'https://packages.macports.org', 'archive-site-private': 'https://packages-private.macports.org', 'site-url': 'https://build.macports.org' };

test('the bundled action: a failing install-port logs a group, annotates port and phase, writes outputs and the summary, exits 1', async () => {
  const workDir = tempDir('work');
  const checkout = await runAction({ ...base, step: 'checkout', 'build-id': 'b-11', port: 'unrar', 'work-dir': workDir, 'ports-sha': '70b44a41bbbb627007b18ae0551cddb24c009bf2' });
  assert.equal(checkout.exitCode, 0, checkout.stdout);
  const run = await runAction({ ...base, step: 'install-port', 'build-id': 'b-11', port: 'unrar', 'work-dir': workDir }, { MPBB_DOUBLE_FAIL: 'unrar:install-port' });
  assert.equal(run.exitCode, 1);
  const lines = run.stdout.split('\n');
  assert.deepEqual(lines.slice(0, 3), ['::group::mpbb print-info unrar', '::endgroup::', '::group::mpbb install-port unrar']);
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
