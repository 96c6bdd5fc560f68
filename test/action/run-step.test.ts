import { splitStepLogs } from '../../controller/logs/split-step-logs.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createExecaExec } from '../../action/src/create-execa-exec.ts';
import { runStep } from '../../action/src/run-step.ts';
import type { StepDeps } from '../../action/src/run-step.ts';
import { recordReporter } from './record-reporter.ts';
import { MPBB_DOUBLE, inputs, tempDir } from './fixtures.ts';


const SHA = '70b44a41bbbb627007b18ae0551cddb24c009bf2';

function deps(overrides: Partial<StepDeps> = {}) {
  const reporter = recordReporter();
  const times = [1_000, 13_000];
  return {
    reporter,
    deps: {
      exec: createExecaExec(),
      reporter,
      getIdToken: (audience: string) => Promise.resolve(`token-for-${audience}`),
      fetch: globalThis.fetch,
      now: () => times.shift() ?? 13_000,
      run: { eventName: 'workflow_dispatch', serverUrl: 'https://github.com', repository: 'macports/macports-ports', runId: 42 },
      ...overrides,
    } satisfies StepDeps,
  };
}

/** A work dir with the ports tree checked out by the double, as the workflow's sync step leaves it. */
async function checkedOut(): Promise<string> {
  const workDir = tempDir('work');
  const { deps: d } = deps();
  const outcome = await runStep(inputs({ step: 'checkout', platform: '15_arm64', 'build-id': 'w-1', 'work-dir': workDir, 'ports-sha': SHA }), d);
  assert.equal(outcome.result, 'success');
  return workDir;
}

const shared = await checkedOut();

async function controller(status = 202) {
  const received: { headers: IncomingMessage['headers']; url: string | undefined; body: unknown }[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, url: request.url, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      response.writeHead(status, { 'content-type': 'application/json' }).end(status < 300 ? '{"builders":2}' : '{"error":"wrong audience"}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, received, close: () => new Promise((done) => server.close(done)) };
}

test('watcher: list-subports in dependency order, exclusions reported, list handed to the controller with the OIDC token', async (t) => {
  const workDir = await checkedOut();
  const farm = await controller();
  t.after(farm.close);
  process.env.MPBB_DOUBLE_UPLOADED = 'xz,oniguruma6';
  t.after(() => delete process.env.MPBB_DOUBLE_UPLOADED);
  const { deps: d, reporter } = deps();
  const outcome = await runStep(
    inputs({ step: 'list-subports', platform: '15_arm64', 'build-id': 'w-7', 'work-dir': workDir, 'ports-sha': SHA, portlist: 'zlib jq nosuchport', 'controller-url': `${farm.url}/` }),
    d,
  );
  assert.equal(outcome.result, 'success');
  assert.deepEqual(outcome.outputs, {
    ports: 'zlib minizip jq',
    'ports-json': '["zlib","minizip","jq"]',
    count: '3',
    'excluded-count': '2',
    'ports-file': join(workDir, 'portlist.json'),
    result: 'success',
    'log-url': 'https://build.macports.org/builds/w-7/steps/list-subports/logs/stdio',
  });
  assert.equal(readFileSync(join(workDir, 'portlist.json'), 'utf8'), '["zlib","minizip","jq"]');
  assert.equal(farm.received.length, 1);
  assert.equal(farm.received[0]?.url, '/api/port-list');
  assert.equal(farm.received[0].headers.authorization, 'Bearer token-for-portfarm');
  assert.deepEqual(farm.received[0].body, {
    buildId: 'w-7',
    platform: '15_arm64',
    portsRevision: SHA,
    ports: ['zlib', 'minizip', 'jq'],
    excluded: [
      { port: 'xz', reason: 'it has already been built and uploaded to the public server' },
      { port: 'oniguruma6', reason: 'it has already been built and uploaded to the public server' },
    ],
  });
  assert.ok(reporter.lines.includes('::warning title=mpbb list-subports (15_arm64)::port nosuchport not found in the index'));
  assert.ok(reporter.lines.includes(`::group::mpbb list-subports --archive-site=https://packages.macports.org --archive-site-private=https://packages-private.macports.org -- zlib jq nosuchport`));
  assert.equal(
    outcome.summary,
    [
      '### portfarm watcher · 15_arm64 · list-subports',
      '',
      '| | |',
      '| --- | --- |',
      '| role | watcher |',
      '| step | list-subports |',
      '| platform | 15_arm64 |',
      '| build | w-7 |',
      `| ports revision | ${SHA} |`,
      '| duration | 12 s |',
      '| result | ✅ success |',
      '| log | [https://build.macports.org/builds/w-7/steps/list-subports/logs/stdio](https://build.macports.org/builds/w-7/steps/list-subports/logs/stdio) |',
      '',
      '**3 ports to build**, in dependency order:',
      '',
      '1. zlib\n2. minizip\n3. jq',
      '',
      '**2 excluded** by mpbb:',
      '',
      '| port | reason |',
      '| --- | --- |',
      '| xz | it has already been built and uploaded to the public server |',
      '| oniguruma6 | it has already been built and uploaded to the public server |',
      '',
      '**mpbb warnings:**',
      '',
      '- port nosuchport not found in the index',
      '',
      'Hand-off: handed to the controller (HTTP 202: {"builders":2})',
      '',
      '',
    ].join('\n'),
  );
});

test('watcher: a forced run lists every port of the tree (303 in the fixture, 784 with subports)', async () => {
  const workDir = await checkedOut();
  const { deps: d } = deps();
  const outcome = await runStep(inputs({ step: 'list-subports', platform: '15_arm64', 'build-id': 'w-8', 'work-dir': workDir, 'ports-sha': SHA, force: 'true', 'hand-off': 'false' }), d);
  assert.equal(outcome.result, 'success');
  const ports = (outcome.outputs.ports ?? '').split(' ');
  assert.equal(ports.length, 303 + 784);
  // dependency order: every dependency listed before its dependents
  assert.ok(ports.indexOf('zlib') < ports.indexOf('curl'));
  assert.ok(ports.indexOf('openssl3') < ports.indexOf('curl'));
  assert.ok(ports.indexOf('python313') < ports.indexOf('py313-numpy'));
});

test('watcher: a controller that refuses the list fails the step as permanent, naming the HTTP answer', async (t) => {
  const workDir = await checkedOut();
  const farm = await controller(401);
  t.after(farm.close);
  const { deps: d } = deps();
  const outcome = await runStep(
    inputs({ step: 'list-subports', platform: '15_arm64', 'build-id': 'w-9', 'work-dir': workDir, 'ports-sha': SHA, portlist: 'zlib', 'controller-url': farm.url }),
    d,
  );
  assert.equal(outcome.result, 'failure');
  assert.equal(outcome.failure?.retryable, false);
  assert.equal(
    outcome.failure.message,
    `the controller at ${farm.url}/api/port-list refused the port list: HTTP 401 {"error":"wrong audience"} (the OIDC token was rejected: check the audience input and the controller's repository/workflow settings) (permanent)`,
  );
  assert.deepEqual(outcome.outputs.retryable, 'false');
});

test('builder: install-port success writes the summary with port, version, platform, duration, result and stable log URL', async () => {
  const workDir = shared;
  const { deps: d, reporter } = deps();
  const outcome = await runStep(inputs({ step: 'install-port', platform: '14_x86_64', 'build-id': 'b-3', port: 'curl', 'work-dir': workDir }), d);
  assert.equal(outcome.result, 'success');
  assert.deepEqual(reporter.lines.slice(0, 3), ['::group::mpbb print-info -- curl', '::endgroup::', '::group::mpbb install-port -- curl']);
  assert.ok(reporter.lines.includes('--->  Activating curl @8.21.0_0'));
  // mpbb's own logs follow in groups the controller cuts out of the job log (buildbot's files, statistics, main.log).
  const after = reporter.lines.slice(reporter.lines.indexOf('::group::portfarm log install-port/files'));
  assert.deepEqual(after, [
    '::group::portfarm log install-port/files',
    '  /opt/local/bin/curl',
    '  /opt/local/share/doc/curl/README',
    '  /opt/local/share/man/man1/curl.1.gz',
    '::endgroup::',
    '::group::portfarm log install-port/statistics',
    'time:    1s',
    'workdir: 1024k',
    'destdir: 512k',
    '::endgroup::',
    '::group::portfarm log install-port/main.log',
    ':debug:main Starting logging for curl @8.21.0_0',
    ':msg:fetch --->  Fetching distfiles for curl',
    ':msg:build --->  Building curl',
    ':msg:activate --->  Activating curl @8.21.0_0',
    '::endgroup::',
  ]);
  // The controller cuts the same logs out of the job log GitHub serves (timestamped, `##[group]`) when it archives it.
  const jobLog = reporter.lines.map((line) => `2026-11-26T09:00:00.0000000Z ${line.replace(/^::group::/, '##[group]').replace(/^::endgroup::$/, '##[endgroup]')}`).join('\n');
  const cut = splitStepLogs(jobLog);
  assert.deepEqual([...cut.keys()], ['print-info/stdio', 'install-port/stdio', 'install-port/files', 'install-port/statistics', 'install-port/main.log']);
  assert.equal(cut.get('install-port/files'), '  /opt/local/bin/curl\n  /opt/local/share/doc/curl/README\n  /opt/local/share/man/man1/curl.1.gz\n');
  assert.match(cut.get('install-port/stdio') ?? '', /^--->\x20\x20Computing dependencies for curl\n[\s\S]*--->\x20\x20Activating curl @8\.21\.0_0\n$/);
  assert.equal(
    outcome.summary,
    [
      '### portfarm builder · curl · 14_x86_64 · install-port',
      '',
      '| | |',
      '| --- | --- |',
      '| role | builder |',
      '| step | install-port |',
      '| port | curl @8.21.0_0 |',
      '| platform | 14_x86_64 |',
      '| build | b-3 |',
      '| duration | 12 s |',
      '| result | ✅ success |',
      '| log | [https://build.macports.org/builds/b-3/steps/install-port/logs/stdio](https://build.macports.org/builds/b-3/steps/install-port/logs/stdio) |',
      '',
      '',
    ].join('\n'),
  );
});

test('builder: a port failing in install-port is a permanent failure with port and phase in the title and the log tail', async (t) => {
  const workDir = shared;
  process.env.MPBB_DOUBLE_FAIL = 'curl:install-port';
  t.after(() => delete process.env.MPBB_DOUBLE_FAIL);
  const { deps: d, reporter } = deps();
  const outcome = await runStep(inputs({ step: 'install-port', platform: '15_arm64', 'build-id': 'b-4', port: 'curl', 'work-dir': workDir }), d);
  assert.equal(outcome.result, 'failure');
  assert.equal(outcome.failure?.title, 'curl in install-port failed (15_arm64)');
  assert.equal(outcome.failure.retryable, false);
  assert.equal(outcome.failure.exitCode, 1);
  assert.equal(
    outcome.failure.message,
    [
      'curl in install-port failed on 15_arm64 (mpbb exit 1):',
      '--->  Computing dependencies for curl',
      '--->  Fetching distfiles for curl',
      '--->  Verifying checksums for curl',
      '--->  Extracting curl',
      '--->  Configuring curl',
      '--->  Building curl',
      "curl.c:42:10: fatal error: 'openssl/ssl.h' file not found",
      '1 error generated.',
      'Failed to build curl: command execution failed',
      "Build of 'curl' failed.",
      `${MPBB_DOUBLE}: error: \`install-port' failed to run successfully`,
    ].join('\n'),
  );
  assert.deepEqual({ ...outcome.outputs, 'log-url': undefined }, { result: 'failure', retryable: 'false', 'failed-phase': 'install-port', 'log-url': undefined });
  assert.match(outcome.summary ?? '', /\| result \| ❌ failure \(permanent: needs a change to the port or the inputs\) \|/);
  // A failed build's main.log is what the maintainer needs; the contents of the port built before it are not printed.
  const groups = reporter.lines.filter((line) => line.startsWith('::group::portfarm log'));
  assert.deepEqual(groups, ['::group::portfarm log install-port/statistics', '::group::portfarm log install-port/main.log']);
  assert.ok(reporter.lines.includes(":error:build Failed to build curl: command execution failed"));
});

test('builder: a dependency that fails makes install-dependencies fail for the port being built', async (t) => {
  const workDir = shared;
  process.env.MPBB_DOUBLE_FAIL = 'zlib:install-port';
  t.after(() => delete process.env.MPBB_DOUBLE_FAIL);
  const { deps: d, reporter } = deps();
  const outcome = await runStep(inputs({ step: 'install-dependencies', platform: '15_arm64', 'build-id': 'b-5', port: 'curl', 'work-dir': workDir }), d);
  assert.equal(outcome.failure?.title, 'curl in install-dependencies failed (15_arm64)');
  assert.match(outcome.failure.message, /Processing dependencies for 'curl' failed, aborting\./);
  const at = reporter.lines.indexOf('::group::portfarm log install-dependencies/dependencies');
  assert.notEqual(at, -1, 'the dependencies log is printed for a failed step too');
  assert.match(reporter.lines[at + 1] ?? '', /^Installing \d+ dependencies of curl:$/);
});

test('exit 2 (usage) is permanent and says to check the inputs; exit 3 (internal) is retryable', async (t) => {
  const workDir = shared;
  t.after(() => delete process.env.MPBB_DOUBLE_FAIL);
  process.env.MPBB_DOUBLE_FAIL = 'curl:install-port:2';
  const usage = await runStep(inputs({ step: 'install-port', platform: '15_arm64', 'build-id': 'b-6', port: 'curl', 'work-dir': workDir }), deps().deps);
  assert.equal(usage.failure?.title, 'mpbb install-port: usage error (15_arm64)');
  assert.equal(usage.failure.retryable, false);
  assert.match(usage.failure.message, /^mpbb rejected the command line `mpbb --prefix=\/opt\/local --work-dir=\S+ install-port -- curl` \(exit 2, usage error\): .*check the action's inputs for this step \(permanent\)$/s);

  process.env.MPBB_DOUBLE_FAIL = '*:selfupdate:3';
  const internal = await runStep(inputs({ step: 'selfupdate', platform: '15_arm64', 'build-id': 'b-6', port: 'curl', 'work-dir': workDir }), deps().deps);
  assert.equal(internal.failure?.title, 'mpbb selfupdate: internal error (15_arm64)');
  assert.equal(internal.failure.retryable, true);
  assert.match(internal.failure.message, /hit an internal error \(exit 3\): .*re-run the job \(retryable\)$/s);
  assert.equal(internal.outputs.retryable, 'true');
});

test('mpbb missing is a permanent failure that names the input to fix', async () => {
  const outcome = await runStep(inputs({ step: 'cleanup', platform: '15_arm64', 'build-id': 'b-7', mpbb: '/nonexistent/mpbb' }), deps().deps);
  assert.equal(
    outcome.failure?.message,
    'mpbb was not found at "/nonexistent/mpbb"; set the action\'s `mpbb` input to the mpbb executable (the workflow\'s "fetch mpbb" step clones it to $RUNNER_TEMP/mpbb/mpbb)',
  );
  assert.equal(outcome.failure.retryable, false);
});

test('gather-archives counts what was staged; deploy publishes only that, and never from a pull request', async () => {
  const workDir = await checkedOut();
  const staging = join(workDir, 'staging');
  const { deps: d } = deps();
  await runStep(inputs({ step: 'install-port', platform: '15_arm64', 'build-id': 'b-8', port: 'jq', 'work-dir': workDir }), d);
  const gathered = await runStep(inputs({ step: 'gather-archives', platform: '15_arm64', 'build-id': 'b-8', port: 'jq', 'work-dir': workDir, 'staging-dir': staging }), deps().deps);
  assert.equal(gathered.outputs.archives, '1');
  assert.equal(gathered.outputs['public-archives'], '1');
  assert.match(gathered.summary ?? '', /Staged archives:\n\n- public: jq-1\.8\.2_0\.darwin_24\.arm64\.tbz2\n/);

  const deployer = join(workDir, 'deploy.sh');
  writeFileSync(deployer, `#!/bin/sh\nls "$1" > "${join(workDir, 'deployed.txt')}"\necho "uploaded $(ls "$1" | wc -l) archive(s)"\n`);
  chmodSync(deployer, 0o755);
  const refused = await runStep(
    inputs({ step: 'deploy', platform: '15_arm64', 'build-id': 'b-8', port: 'jq', 'staging-dir': staging, 'deploy-command': deployer, 'archive-digests': gathered.outputs['archive-digests'] ?? '' }),
    deps({ run: { eventName: 'pull_request', serverUrl: 'https://github.com', repository: 'macports/macports-ports', runId: 43 } }).deps,
  );
  assert.equal(refused.failure?.message, 'refusing to deploy from a pull_request run: PR builds never publish archives; remove the deploy step from the PR workflow');
  assert.equal(existsSync(join(workDir, 'deployed.txt')), false);

  const { deps: d2, reporter } = deps();
  const deployed = await runStep(
    inputs({ step: 'deploy', platform: '15_arm64', 'build-id': 'b-8', port: 'jq', 'staging-dir': staging, 'deploy-command': deployer, 'archive-digests': gathered.outputs['archive-digests'] ?? '' }),
    d2,
  );
  assert.equal(deployed.result, 'success');
  assert.equal(readFileSync(join(workDir, 'deployed.txt'), 'utf8'), 'jq-1.8.2_0.darwin_24.arm64.tbz2\n');
  assert.deepEqual(reporter.lines, ['The archive matches its digest as the builder reported.', '::group::deploy 1 archive', 'uploaded 1 archive(s)', '::endgroup::']);
});

test('PR watcher: the ports changed between base and head of the checked-out tree are listed, nothing is handed off', async () => {
  const workDir = tempDir('pr');
  const portsDir = join(workDir, 'ports');
  mkdirSync(join(portsDir, 'net', 'curl', 'files'), { recursive: true });
  const { exec } = { exec: createExecaExec() };
  const git = async (...args: string[]) => (await exec('git', ['-C', portsDir, '-c', 'user.name=t', '-c', 'user.email=t@example.org', ...args], { onLine: () => undefined })).stdout.trim();
  await git('init', '-q');
  writeFileSync(join(portsDir, 'net', 'curl', 'Portfile'), 'version 8.20.0\n');
  await git('add', '.');
  await git('commit', '-q', '-m', 'base');
  const base = await git('rev-parse', 'HEAD');
  writeFileSync(join(portsDir, 'net', 'curl', 'files', 'patch-fix.diff'), '--- a\n');
  mkdirSync(join(portsDir, 'textproc', 'jq'), { recursive: true });
  writeFileSync(join(portsDir, 'textproc', 'jq', 'Portfile'), 'version 1.8.1\n');
  await git('add', '.');
  await git('commit', '-q', '-m', 'head');
  const head = await git('rev-parse', 'HEAD');
  const { deps: d, reporter } = deps();
  const outcome = await runStep(
    inputs({ step: 'list-subports', platform: '15_arm64', 'build-id': 'pr-1-list', 'work-dir': workDir, 'ports-sha': head, 'changed-since': base, 'hand-off': 'false' }),
    d,
  );
  const listed = (outcome.outputs.ports ?? '').split(' ');
  assert.equal(listed.at(-1), 'jq');
  assert.ok(listed.indexOf('openssl3') < listed.indexOf('curl'));
  assert.ok(listed.indexOf('oniguruma6') < listed.indexOf('jq'));
  assert.ok(reporter.lines.includes(`::group::mpbb list-subports --archive-site=https://packages.macports.org --archive-site-private=https://packages-private.macports.org -- curl jq`));
  assert.match(outcome.summary ?? '', /Hand-off: not handed off \(hand-off: "false"\)/);
});
