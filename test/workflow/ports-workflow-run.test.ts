import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { createServer } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { loadWorkflow, simulateJob } from './simulate-job.ts';
import type { StepOutcome, StepToRun } from './simulate-job.ts';
import { runAction } from '../action/run-action.ts';
import { tempDir } from '../action/fixtures.ts';

const ports = await loadWorkflow('.github/workflows/ports.yml');
const SHA = '70b44a41bbbb627007b18ae0551cddb24c009bf2';

/**
 * Executes ports.yml the way a runner would on a fresh VM: each step's `if:` and `with:`
 * evaluated from the file, `macports/portfarm/action@v1` steps run as the committed bundle with
 * the mpbb double, `fetch mpbb` replaced by copying the double to $RUNNER_TEMP/mpbb/mpbb (no
 * network), upload-artifact recorded. Returns the log of what ran and the summaries written.
 */
async function runPortsJob(inputs: Record<string, string | boolean>, vars: Record<string, string>, env: Record<string, string> = {}, secrets: Record<string, string> = {}) {
  const vm = tempDir('vm');
  const runnerTemp = join(vm, 'temp');
  mkdirSync(join(runnerTemp, 'mpbb'), { recursive: true });
  const summaries: string[] = [];
  const uploaded: string[] = [];
  const executed: string[] = [];
  const failures: string[] = [];
  const context = {
    github: { event_name: 'workflow_dispatch', server_url: 'https://github.com', repository: 'macports/macports-ports', workspace: join(vm, 'work'), run_id: '9100200300' },
    inputs: { platform: '15_arm64', portname: '', ports_sha: SHA, build_id: '', force: false, portlist: '', ...inputs },
    vars,
    secrets,
    runner: { temp: runnerTemp },
  };
  const job = await simulateJob(ports, 'ports', context, async (step: StepToRun): Promise<StepOutcome> => {
    executed.push(step.name);
    if (step.run !== undefined) {
      copyFileSync('test/mpbb-double/mpbb-double.ts', join(runnerTemp, 'mpbb', 'mpbb-double.ts'));
      copyFileSync('test/mpbb-double/port-index.ts', join(runnerTemp, 'mpbb', 'port-index.ts'));
      copyFileSync('test/mpbb-double/mpbb', join(runnerTemp, 'mpbb', 'mpbb'));
      chmodSync(join(runnerTemp, 'mpbb', 'mpbb'), 0o755);
      return { outcome: 'success' };
    }
    if (step.uses === 'actions/upload-artifact@v4') {
      const path = step.with.path ?? '';
      for (const kind of ['public', 'private']) for (const file of readdirSync(join(path, kind))) uploaded.push(`${step.with.name ?? ''}: ${kind}/${file}`);
      return { outcome: 'success' };
    }
    const fixture = { MPBB_DOUBLE_PORTS: join(process.cwd(), 'test/fixtures/mpbb/ports.json') };
    const result = await runAction({ audience: 'portfarm', prefix: '/opt/local', 'ports-url': 'https://github.com/macports/macports-ports.git', force: 'false', 'hand-off': 'true', mpbb: 'mpbb', 'archive-site': 'https://packages.macports.org', 'archive-site-private': 'https://packages-private.macports.org', 'site-url': 'https://build.macports.org', ...step.with }, { ...fixture, ...env, ...step.env });
    if (result.summary !== '') summaries.push(result.summary);
    if (result.exitCode !== 0) failures.push(`${step.name}: ${result.stdout.split('\n').slice(-3).join(' | ')}`);
    return { outcome: result.exitCode === 0 ? 'success' : 'failure', outputs: result.outputs };
  });
  return { job, executed, summaries, uploaded, failures };
}

test('a whole watcher run of ports.yml: lists, hands the list over, mirrors; builder steps skipped', async (t) => {
  const received: unknown[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.url?.startsWith('/token') === true) {
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"value":"header.payload.signature"}');
        return;
      }
      received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      response.writeHead(202, { 'content-type': 'application/json' }).end('{"builders":3}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => server.close());
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const distfiles = tempDir('distfiles');
  const run = await runPortsJob(
    { build_id: 'w-500', portlist: 'zlib jq' },
    { PORTFARM_CONTROLLER_URL: url, PORTFARM_DISTFILES_DIR: distfiles },
    { ACTIONS_ID_TOKEN_REQUEST_URL: `${url}/token?x=1`, ACTIONS_ID_TOKEN_REQUEST_TOKEN: 't', MPBB_DOUBLE_UPLOADED: 'xz,oniguruma6' },
  );
  assert.deepEqual(run.failures, []);
  assert.equal(run.job.status, 'success');
  assert.deepEqual(run.executed, ['fetch mpbb', 'cleanup', 'selfupdate MacPorts', 'sync ports tree', 'watcher: list subports and hand them to the controller', 'watcher: mirror distfiles']);
  assert.deepEqual(received, [{ buildId: 'w-500', platform: '15_arm64', portsRevision: SHA, ports: ['zlib', 'minizip', 'jq'], excluded: [{ port: 'xz', reason: 'it has already been built and uploaded to the public server' }, { port: 'oniguruma6', reason: 'it has already been built and uploaded to the public server' }] }]);
  assert.deepEqual(readdirSync(distfiles).sort(), ['jq', 'zlib']);
  assert.deepEqual(run.summaries.map((summary) => summary.split('\n')[0]), ['### portfarm watcher · 15_arm64 · checkout', '### portfarm watcher · 15_arm64 · list-subports']);
});

test('a whole builder run of ports.yml: builds, gathers, uploads and deploys exactly the staged archive; watcher steps skipped', async () => {
  const deployed = tempDir('deployed');
  const deployer = join(deployed, 'deploy.sh');
  writeFileSync(deployer, `#!/bin/sh\ntest -n "$PORTFARM_DEPLOY_KEY" || { echo "no deploy key" >&2; exit 1; }\ncp "$1"/* "${deployed}/"\n`);
  chmodSync(deployer, 0o755);
  const run = await runPortsJob({ build_id: 'b-501', portname: 'jq' }, { PORTFARM_DEPLOY_COMMAND: deployer, PORTFARM_CONTROLLER_URL: 'http://127.0.0.1:9' }, {}, { PORTFARM_DEPLOY_KEY: 'test-key' });
  assert.deepEqual(run.failures, []);
  assert.equal(run.job.status, 'success');
  assert.deepEqual(run.executed, [
    'fetch mpbb',
    'cleanup',
    'selfupdate MacPorts',
    'sync ports tree',
    'builder: install dependencies',
    'builder: install port',
    'builder: gather archives',
    'builder: upload archives',
    'builder: deploy archives',
    'builder: cleanup',
  ]);
  assert.deepEqual(run.uploaded, ['archives-15_arm64-jq-b-501: public/jq-1.8.2_0.darwin_24.arm64.tbz2']);
  assert.deepEqual(readdirSync(deployed).filter((name) => name.endsWith('.tbz2')), ['jq-1.8.2_0.darwin_24.arm64.tbz2']);
  assert.equal(readFileSync(join(deployed, 'jq-1.8.2_0.darwin_24.arm64.tbz2'), 'utf8'), 'archive of jq @1.8.2\n');
  assert.deepEqual(run.summaries.map((summary) => summary.split('\n')[0]), [
    '### portfarm builder · jq · 15_arm64 · checkout',
    '### portfarm builder · jq · 15_arm64 · install-dependencies',
    '### portfarm builder · jq · 15_arm64 · install-port',
    '### portfarm builder · jq · 15_arm64 · gather-archives',
    '### portfarm builder · jq · 15_arm64 · deploy',
  ]);
});
