import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createExecaExec } from '../../action/src/create-execa-exec.ts';
import { runStep, type StepDeps } from '../../action/src/run-step.ts';
import { inputs, tempDir } from '../action/fixtures.ts';
import { recordReporter } from '../action/record-reporter.ts';

// Attack: a public ports repository whose workflows upload build archives as artifacts anyone
// can download. A non-distributable (licence-restricted) archive must never be in the list the
// workflow uploads, whatever the port's build left in the staging folder.

function deps(): StepDeps {
  return {
    exec: createExecaExec(),
    reporter: recordReporter(),
    getIdToken: () => Promise.reject(new Error('no OIDC token in a builder')),
    fetch: () => Promise.reject(new Error('no network in a builder')),
    now: () => 0,
    run: { eventName: 'workflow_dispatch', serverUrl: 'https://github.com', repository: 'macports/macports-ports', runId: 7 },
  };
}

/** Checkout + install-port + gather-archives of `port` with the mpbb double; `privatePorts` are not distributable. */
async function gather(port: string, privatePorts: string, tamper?: (staging: string) => void) {
  const workDir = tempDir('artifacts');
  const staging = join(workDir, 'staging');
  const base = { platform: '15_arm64', 'build-id': 'b-31', 'work-dir': workDir };
  process.env.MPBB_DOUBLE_PRIVATE = privatePorts;
  try {
    assert.equal((await runStep(inputs({ ...base, step: 'checkout', 'ports-sha': '70b44a41bbbb627007b18ae0551cddb24c009bf2' }), deps())).result, 'success');
    assert.equal((await runStep(inputs({ ...base, step: 'install-port', port }), deps())).result, 'success');
    tamper?.(staging);
    const gathered = await runStep(inputs({ ...base, step: 'gather-archives', port, 'staging-dir': staging }), deps());
    return { workDir, staging, gathered };
  } finally {
    delete process.env.MPBB_DOUBLE_PRIVATE;
  }
}

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

test('a non-distributable archive is staged privately and never reaches the upload list or the digests', async () => {
  const { staging, gathered } = await gather('jq', 'jq');
  assert.equal(gathered.result, 'success');
  assert.deepEqual(readdirSync(join(staging, 'private')), ['jq-1.8.2_0.darwin_24.arm64.tbz2'], 'mpbb staged it, as private');
  assert.equal(gathered.outputs.archives, '1');
  assert.equal(gathered.outputs['public-archives'], '0');
  assert.equal(gathered.outputs['distributable-archives'], '');
  assert.equal(gathered.outputs['archive-digests'], '{}');
});

test('a distributable archive is listed by path with the sha256 of its bytes', async () => {
  const { staging, gathered } = await gather('jq', '');
  const path = join(staging, 'public', 'jq-1.8.2_0.darwin_24.arm64.tbz2');
  assert.equal(gathered.outputs['distributable-archives'], path);
  assert.deepEqual(JSON.parse(gathered.outputs['archive-digests'] ?? ''), { 'jq-1.8.2_0.darwin_24.arm64.tbz2': sha256(path) });
});

test('a symlink among the public archives (pointing at a private one) fails gather-archives and is never listed', async () => {
  // Real mpbb empties the staging folder first; the action does not rely on it (the double does not).
  const { gathered } = await gather('jq', 'jq', (staging) => {
    mkdirSync(join(staging, 'public'), { recursive: true });
    symlinkSync(join(staging, 'private', 'jq-1.8.2_0.darwin_24.arm64.tbz2'), join(staging, 'public', 'jq-1.8.2_0.darwin_24.arm64.tbz2'));
  });
  assert.equal(gathered.result, 'failure');
  assert.match(gathered.failure?.message ?? '', /jq-1\.8\.2_0\.darwin_24\.arm64\.tbz2 is a symlink, not a staged archive/);
  assert.equal(gathered.outputs['distributable-archives'], undefined);
});

/** The deploy job: the artifact downloaded into <staging>/public, checked against the builder's digests. */
async function deploy(staging: string, digests: string) {
  const marker = join(staging, '..', 'deployed.txt');
  const deployer = join(staging, '..', 'deploy.sh');
  writeFileSync(deployer, `#!/bin/sh\nls "$1" > "${marker}"\n`);
  chmodSync(deployer, 0o755);
  const outcome = await runStep(inputs({ step: 'deploy', platform: '15_arm64', 'build-id': 'b-31', port: 'jq', 'staging-dir': staging, 'deploy-command': deployer, 'archive-digests': digests }), deps());
  return { outcome, deployed: existsSync(marker) };
}

test('deploy publishes only when the downloaded archives are exactly those the builder reported, byte for byte', async () => {
  const { staging, gathered } = await gather('jq', '');
  const digests = gathered.outputs['archive-digests'] ?? '';
  const archive = join(staging, 'public', 'jq-1.8.2_0.darwin_24.arm64.tbz2');

  writeFileSync(archive, 'swapped after upload\n');
  const swapped = await deploy(staging, digests);
  assert.equal(swapped.deployed, false, 'the deploy command never ran');
  assert.match(swapped.outcome.failure?.message ?? '', /jq-1\.8\.2_0\.darwin_24\.arm64\.tbz2: sha256 [0-9a-f]{64}, the builder reported [0-9a-f]{64}/);
  assert.equal(swapped.outcome.failure?.retryable, false);

  writeFileSync(archive, 'archive of jq @1.8.2\n');
  writeFileSync(join(staging, 'public', 'extra-1.0_0.darwin_24.arm64.tbz2'), 'smuggled\n');
  const extra = await deploy(staging, digests);
  assert.equal(extra.deployed, false);
  assert.match(extra.outcome.failure?.message ?? '', /extra-1\.0_0\.darwin_24\.arm64\.tbz2: not reported by the builder/);

  rmSync(join(staging, 'public', 'extra-1.0_0.darwin_24.arm64.tbz2'));
  const ok = await deploy(staging, digests);
  assert.equal(ok.outcome.result, 'success');
  assert.equal(ok.deployed, true);
});

test('deploy without the builder\'s digests is a bad input naming the output to pass', async () => {
  const { staging } = await gather('jq', '');
  await assert.rejects(deploy(staging, ''), /input "archive-digests" \(""\) is required to deploy: the builder job's archive-digests output/);
  await assert.rejects(deploy(staging, '{"../private/jq.tbz2":"' + 'a'.repeat(64) + '"}'), /is not an archive file name/);
});
