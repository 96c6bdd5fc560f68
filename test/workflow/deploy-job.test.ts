import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { readActionInputs } from '../../action/src/action-inputs.ts';
import { phaseOfStep } from '../../controller/github/translate-webhook.ts';
import { createExecaExec } from '../../action/src/create-execa-exec.ts';
import { runStep } from '../../action/src/run-step.ts';
import { tempDir } from '../action/fixtures.ts';
import { recordReporter } from '../action/record-reporter.ts';
import { loadWorkflow, simulateJob, type StepOutcome, type StepToRun } from './simulate-job.ts';

const ports = await loadWorkflow('.github/workflows/ports.yml');
const DEPLOY_KEY = 'deploy-key-that-must-stay-in-the-deploy-job';
const actionDefaults = Object.fromEntries(
  Object.entries((parseYaml(readFileSync('action/action.yml', 'utf8')) as { inputs: Record<string, { default?: string }> }).inputs).map(([name, input]) => [name, input.default ?? '']),
);

/**
 * ports.yml's builder job and then its deploy job, each step as a runner would run it: action
 * steps through the action's source (runStep, over the mpbb double), `fetch mpbb` installing the
 * double, upload-artifact/download-artifact through one folder standing for the artifact store.
 * `betweenJobs` may tamper with the stored artifact (what the deploy job downloads).
 */
async function builderThenDeploy(options: { readonly betweenJobs?: (artifactDir: string) => void; readonly deployRunner?: string } = {}) {
  const root = tempDir('deploy-flow');
  const store = join(root, 'artifacts');
  const deployed = join(root, 'deployed');
  mkdirSync(deployed);
  const deployer = join(root, 'deploy.sh');
  writeFileSync(deployer, `#!/bin/sh\ntest "$PORTFARM_DEPLOY_KEY" = "${DEPLOY_KEY}" || { echo "no deploy key" >&2; exit 1; }\ncp "$1"/* "${deployed}/"\n`);
  chmodSync(deployer, 0o755);
  const seen: { job: string; step: StepToRun }[] = [];
  const context = (vmDir: string, needs: Record<string, unknown>) => ({
    github: { event_name: 'workflow_dispatch', server_url: 'https://github.com', repository: 'macports/macports-ports', workspace: join(vmDir, 'work'), run_id: '9100200300' },
    inputs: { platform: '15_arm64', portname: 'jq', ports_sha: '70b44a41bbbb627007b18ae0551cddb24c009bf2', build_id: 'b-77', force: false, portlist: '' },
    vars: { PORTFARM_DEPLOY_COMMAND: deployer, ...(options.deployRunner === undefined ? {} : { PORTFARM_DEPLOY_RUNNER: options.deployRunner }) },
    secrets: { PORTFARM_DEPLOY_KEY: DEPLOY_KEY },
    needs,
    runner: { temp: join(vmDir, 'temp') },
  });
  const execute = (job: string, vmDir: string) => async (step: StepToRun): Promise<StepOutcome> => {
    seen.push({ job, step });
    if (step.run !== undefined) {
      mkdirSync(join(vmDir, 'temp', 'mpbb'), { recursive: true });
      for (const file of ['mpbb', 'mpbb-double.ts', 'port-index.ts']) copyFileSync(join('test/mpbb-double', file), join(vmDir, 'temp', 'mpbb', file));
      chmodSync(join(vmDir, 'temp', 'mpbb', 'mpbb'), 0o755);
      return { outcome: 'success' };
    }
    if (step.uses?.startsWith('actions/upload-artifact@') === true) {
      const into = join(store, step.with.name ?? '');
      mkdirSync(into, { recursive: true });
      for (const path of (step.with.path ?? '').split('\n').filter(Boolean)) copyFileSync(path, join(into, basename(path)));
      return { outcome: 'success' };
    }
    if (step.uses?.startsWith('actions/download-artifact@') === true) {
      const from = join(store, step.with.name ?? '');
      if (!existsSync(from)) return { outcome: 'failure' };
      mkdirSync(step.with.path ?? '', { recursive: true });
      for (const file of readdirSync(from)) copyFileSync(join(from, file), join(step.with.path ?? '', file));
      return { outcome: 'success' };
    }
    const saved = { ...process.env };
    Object.assign(process.env, step.env, { MPBB_DOUBLE_PORTS: join(process.cwd(), 'test/fixtures/mpbb/ports.json') });
    try {
      const inputs = readActionInputs((name) => step.with[name] ?? actionDefaults[name] ?? '');
      const outcome = await runStep(inputs, {
        exec: createExecaExec(),
        reporter: recordReporter(),
        getIdToken: () => Promise.reject(new Error('no OIDC token here')),
        fetch: () => Promise.reject(new Error('no network here')),
        now: () => 0,
        run: { eventName: 'workflow_dispatch', serverUrl: 'https://github.com', repository: 'macports/macports-ports', runId: 9100200300 },
      });
      return { outcome: outcome.result, outputs: outcome.outputs };
    } finally {
      for (const name of Object.keys(process.env)) if (!(name in saved)) Reflect.deleteProperty(process.env, name);
      Object.assign(process.env, saved);
    }
  };
  const builderVm = join(root, 'build-vm');
  const builder = await simulateJob(ports, 'ports', context(builderVm, {}), execute('ports', builderVm));
  options.betweenJobs?.(join(store, 'archives-15_arm64-jq-b-77'));
  const deployVm = join(root, 'hosted');
  const deploy = await simulateJob(ports, 'deploy', context(deployVm, { ports: { result: builder.status, outputs: builder.outputs } }), execute('deploy', deployVm));
  return { builder, deploy, seen, deployed: readdirSync(deployed), store };
}

test('the builder job uploads the distributable archive and reports its digest; it has no deploy step and never sees the deploy key', async () => {
  const run = await builderThenDeploy();
  assert.equal(run.builder.status, 'success');
  assert.deepEqual(readdirSync(join(run.store, 'archives-15_arm64-jq-b-77')), ['jq-1.8.2_0.darwin_24.arm64.tbz2']);
  assert.match(run.builder.outputs['archive-digests'] ?? '', /^\{"jq-1\.8\.2_0\.darwin_24\.arm64\.tbz2":"[0-9a-f]{64}"\}$/);
  const builderSteps = run.seen.filter((s) => s.job === 'ports').map((s) => s.step);
  assert.ok(builderSteps.length >= 8);
  assert.equal(builderSteps.some((step) => step.with.step === 'deploy'), false, 'no deploy step in the build VM');
  for (const step of builderSteps) assert.ok(![...Object.values(step.with), ...Object.values(step.env)].some((v) => v.includes(DEPLOY_KEY)), `${step.name} sees the deploy key`);
  // Not only what ran: nothing in the builder job's definition names a secret.
  assert.doesNotMatch(JSON.stringify(ports.raw.jobs.ports), /secrets\./);
});

test('the deploy job runs off the build VM, checks the downloaded archives against the builder\'s digests, then deploys with the key', async () => {
  const run = await builderThenDeploy();
  assert.equal(run.deploy.ran, true);
  assert.equal(run.deploy.status, 'success');
  assert.deepEqual(run.deploy.runsOn, ['ubuntu-24.04']);
  assert.deepEqual(run.deployed, ['jq-1.8.2_0.darwin_24.arm64.tbz2']);
  const deploySteps = run.seen.filter((s) => s.job === 'deploy').map((s) => s.step);
  assert.deepEqual(deploySteps.map((step) => step.uses?.replace(/@.*/, '')), ['actions/download-artifact', 'macports/portfarm/action']);
  // A failure here is reported as the build's phase, as when deploy ran in the build VM.
  assert.deepEqual(deploySteps.map((step) => phaseOfStep(step.name)), ['download-archives', 'deploy-archives']);
  assert.equal(deploySteps[1]?.with['archive-digests'], run.builder.outputs['archive-digests']);
  assert.deepEqual(ports.raw.jobs.deploy?.needs, 'ports');
  const custom = await builderThenDeploy({ deployRunner: 'portfarm-deploy' });
  assert.deepEqual(custom.deploy.runsOn, ['portfarm-deploy']);
});

test('an artifact changed between the jobs is never deployed: the digest check fails the deploy job before the deploy command runs', async () => {
  const swapped = await builderThenDeploy({ betweenJobs: (dir) => { writeFileSync(join(dir, 'jq-1.8.2_0.darwin_24.arm64.tbz2'), 'not what the builder built\n'); } });
  assert.equal(swapped.deploy.status, 'failure');
  assert.deepEqual(swapped.deployed, []);
  const added = await builderThenDeploy({ betweenJobs: (dir) => { writeFileSync(join(dir, 'evil-1.0_0.darwin_24.arm64.tbz2'), 'smuggled\n'); } });
  assert.equal(added.deploy.status, 'failure');
  assert.deepEqual(added.deployed, []);
});

test('the deploy job is skipped for watchers and for builders with nothing distributable; the build VM labels never reach it', async () => {
  const job = ports.raw.jobs.deploy;
  assert.ok(job !== undefined);
  const labels = [job['runs-on']].flat().join(' ');
  assert.doesNotMatch(labels, /self-hosted|portfarm-build|inputs\.platform/);
  const base = { github: { workspace: '/w' }, vars: {}, runner: { temp: '/t' } };
  const watcher = await simulateJob(ports, 'deploy', { ...base, inputs: { portname: '', build_id: 'w-1', platform: '15_arm64' }, needs: { ports: { result: 'success', outputs: { 'public-archives': '' } } } });
  assert.equal(watcher.ran, false);
  const privateOnly = await simulateJob(ports, 'deploy', { ...base, inputs: { portname: 'unrar', build_id: 'b-2', platform: '15_arm64' }, needs: { ports: { result: 'success', outputs: { 'public-archives': '0' } } } });
  assert.equal(privateOnly.ran, false);
  const failed = await simulateJob(ports, 'deploy', { ...base, inputs: { portname: 'jq', build_id: 'b-3', platform: '15_arm64' }, needs: { ports: { result: 'failure', outputs: { 'public-archives': '1' } } } });
  assert.equal(failed.ran, false, 'a failed builder deploys nothing');
});
