import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { runPortsJob as runJob, type PortsJobEnvironment } from '../../controller/demo/run-ports-job.ts';
import { tempDir } from '../action/fixtures.ts';

const SHA = '70b44a41bbbb627007b18ae0551cddb24c009bf2';

/**
 * Executes ports.yml the way a runner would on a fresh VM, with the demo's job executor (every
 * step's `if:` and `with:` evaluated from the file, action steps run as the committed bundle
 * over the mpbb double, `fetch mpbb` installing the double, upload-artifact recorded).
 */
async function runPortsJob(inputs: Record<string, string>, env: Partial<PortsJobEnvironment>) {
  const result = await runJob(
    { workflowFile: 'ports.yml', jobKey: 'ports', inputs: { platform: '15_arm64', ports_sha: SHA, ...inputs }, context: {} },
    {
      root: process.cwd(),
      vmDir: tempDir('vm'),
      logDir: tempDir('logs'),
      controllerUrl: 'http://127.0.0.1:9',
      tokenUrl: 'http://127.0.0.1:9/token',
      portsJson: join(process.cwd(), 'test/fixtures/mpbb/ports.json'),
      runId: 9100200300,
      failures: [],
      deployCommand: '',
      distfilesDir: tempDir('distfiles'),
      signal: new AbortController().signal,
      ...env,
    },
  );
  return { ...result, executed: [...result.outcomes.keys()] };
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
    { controllerUrl: url, distfilesDir: distfiles, tokenUrl: `${url}/token?x=1`, extraEnv: { MPBB_DOUBLE_UPLOADED: 'xz,oniguruma6' } },
  );
  assert.deepEqual(run.failedSteps, []);
  assert.equal(run.status, 'success');
  assert.deepEqual(run.executed, ['fetch mpbb', 'cleanup', 'selfupdate MacPorts', 'sync ports tree', 'watcher: list subports and hand them to the controller', 'watcher: mirror distfiles']);
  assert.deepEqual(received, [{ buildId: 'w-500', platform: '15_arm64', portsRevision: SHA, ports: ['zlib', 'minizip', 'jq'], excluded: [{ port: 'xz', reason: 'it has already been built and uploaded to the public server' }, { port: 'oniguruma6', reason: 'it has already been built and uploaded to the public server' }] }]);
  assert.deepEqual(readdirSync(distfiles).sort(), ['jq', 'zlib']);
  assert.deepEqual(run.summaries.map((summary) => summary.split('\n')[0]), ['### portfarm watcher · 15_arm64 · checkout', '### portfarm watcher · 15_arm64 · list-subports']);
});

test('a whole builder run of ports.yml: builds, gathers and uploads exactly the staged distributable archive; no deploy in the build VM', async () => {
  const deployed = tempDir('deployed');
  const deployer = join(deployed, 'deploy.sh');
  writeFileSync(deployer, `#!/bin/sh\ncp "$1"/* "${deployed}/"\n`);
  chmodSync(deployer, 0o755);
  const run = await runPortsJob({ build_id: 'b-501', portname: 'jq' }, { deployCommand: deployer });
  assert.deepEqual(run.failedSteps, []);
  assert.equal(run.status, 'success');
  assert.deepEqual(run.executed, [
    'fetch mpbb',
    'cleanup',
    'selfupdate MacPorts',
    'sync ports tree',
    'builder: install dependencies',
    'builder: install port',
    'builder: gather archives',
    'builder: upload archives',
    'builder: cleanup',
  ]);
  assert.deepEqual(run.uploaded, ['archives-15_arm64-jq-b-501: public/jq-1.8.2_0.darwin_24.arm64.tbz2']);
  assert.deepEqual(readdirSync(deployed), ['deploy.sh'], 'the build VM deploys nothing (the deploy job does, elsewhere)');
  assert.match(run.jobOutputs['archive-digests'] ?? '', /^\{"jq-1\.8\.2_0\.darwin_24\.arm64\.tbz2":"[0-9a-f]{64}"\}$/);
  assert.deepEqual(run.summaries.map((summary) => summary.split('\n')[0]), [
    '### portfarm builder · jq · 15_arm64 · checkout',
    '### portfarm builder · jq · 15_arm64 · install-dependencies',
    '### portfarm builder · jq · 15_arm64 · install-port',
    '### portfarm builder · jq · 15_arm64 · gather-archives',
  ]);
});
