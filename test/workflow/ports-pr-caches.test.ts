import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ACTION_DEFAULTS, runAction } from '../action/run-action.ts';
import { tempDir } from '../action/fixtures.ts';
import { loadWorkflow, simulateJob, type StepOutcome, type StepToRun } from './simulate-job.ts';

const pr = await loadWorkflow('.github/workflows/ports-pr.yml');
const DEPLOY_KEY = 'deploy-key-that-must-not-leak';

/**
 * A PR run of ports-pr.yml in a repository that has every master setting: the mirror folder and
 * deploy command as repository variables, the deploy key as a secret. The PR's steps must see
 * none of them; the distfiles step really runs (committed action bundle, mpbb double).
 */
async function runPrJob(jobId: 'list' | 'build' | 'build-chunk', needs: Record<string, unknown>, matrix: Record<string, string> | undefined) {
  const vm = tempDir('pr-vm');
  const mirror = tempDir('mirror-distfiles');
  const runnerTemp = join(vm, 'temp');
  mkdirSync(join(runnerTemp, 'mpbb'), { recursive: true });
  const seen: { name: string; with: Readonly<Record<string, string>>; env: Readonly<Record<string, string>> }[] = [];
  const context = {
    github: {
      event_name: 'pull_request',
      server_url: 'https://github.com',
      repository: 'macports/macports-ports',
      workspace: join(vm, 'work'),
      run_id: '9100200301',
      run_attempt: '1',
      event: { pull_request: { number: 42, title: 'jq: update', head: { sha: 'a'.repeat(40), repo: { clone_url: 'https://github.com/someone/macports-ports.git' } }, base: { sha: 'b'.repeat(40) } } },
    },
    vars: { PORTFARM_PR_PLATFORMS: '["15_arm64", "13_x86_64"]', PORTFARM_DISTFILES_DIR: mirror, PORTFARM_DEPLOY_COMMAND: '/opt/portfarm/deploy.sh', PORTFARM_CONTROLLER_URL: 'http://127.0.0.1:9' },
    secrets: { PORTFARM_DEPLOY_KEY: DEPLOY_KEY },
    needs,
    strategy: { 'job-index': 0 },
    ...(matrix === undefined ? {} : { matrix }),
    runner: { temp: runnerTemp },
  };
  const failures: string[] = [];
  const job = await simulateJob(pr, jobId, context, async (step: StepToRun): Promise<StepOutcome> => {
    seen.push({ name: step.name, with: step.with, env: step.env });
    if (step.run !== undefined) {
      for (const file of ['mpbb-double.ts', 'port-index.ts', 'mpbb']) copyFileSync(join('test/mpbb-double', file), join(runnerTemp, 'mpbb', file));
      chmodSync(join(runnerTemp, 'mpbb', 'mpbb'), 0o755);
      return { outcome: 'success' };
    }
    if (step.with.step === 'list-subports') return { outcome: 'success', outputs: { ports: 'zlib jq', 'ports-json': '["zlib","jq"]', count: '2' } };
    if (step.with.step !== 'mirror-distfiles') return { outcome: 'success', outputs: step.with.step === 'gather-archives' ? { archives: '0' } : {} };
    const result = await runAction(
      { ...ACTION_DEFAULTS, 'hand-off': 'false', mpbb: 'mpbb', ...step.with },
      { MPBB_DOUBLE_PORTS: join(process.cwd(), 'test/fixtures/mpbb/ports.json'), ...step.env },
    );
    if (result.exitCode !== 0) failures.push(`${step.name}: ${result.stdout.split('\n').slice(-3).join(' | ')}`);
    return { outcome: result.exitCode === 0 ? 'success' : 'failure' };
  });
  return { job, seen, mirror, quarantine: join(vm, 'work', 'distfiles-quarantine'), failures };
}

test('a PR watcher fetches distfiles into its quarantine folder, never the mirror, and no step sees the deploy key or the mirror path', async () => {
  const run = await runPrJob('list', {}, undefined);
  assert.deepEqual(run.failures, []);
  assert.equal(run.job.status, 'success');
  assert.deepEqual(readdirSync(run.quarantine).sort(), ['jq', 'zlib']);
  assert.deepEqual(readdirSync(run.mirror), [], 'the mirror folder stays untouched');
  for (const step of run.seen) {
    const values = [...Object.values(step.with), ...Object.values(step.env)];
    assert.ok(!values.some((v) => v.includes(DEPLOY_KEY)), `${step.name} sees the deploy key`);
    assert.ok(!values.some((v) => v.includes(run.mirror)), `${step.name} is given the mirror path`);
    assert.equal(step.with['controller-url'], undefined, `${step.name} talks to the controller`);
  }
});

test('a PR builder has no deploy step and none of its steps sees the deploy key, the deploy command or the mirror path', async () => {
  const run = await runPrJob('build', { list: { result: 'success', outputs: { ports: '["jq"]', count: '1' } } }, { platform: '15_arm64', port: 'jq' });
  assert.equal(run.job.status, 'success');
  assert.ok(run.seen.length >= 5, 'the builder ran its steps');
  assert.ok(!run.seen.some((s) => s.with.step === 'deploy'));
  for (const step of run.seen) {
    const values = [...Object.values(step.with), ...Object.values(step.env)];
    assert.ok(!values.some((v) => v.includes(DEPLOY_KEY) || v.includes('/opt/portfarm/deploy.sh') || v.includes(run.mirror)), `${step.name}: ${JSON.stringify(step)}`);
  }
  assert.equal(existsSync(run.quarantine), false, 'a builder writes no distfiles outside its VM');
});

test('the list job plans the build jobs for the PR platforms; a chunk job builds its chunk from the list artifact with a build id of its own, and sees no secret', async () => {
  const list = await runPrJob('list', {}, undefined);
  const listed = list.seen.find((s) => s.with.step === 'list-subports');
  assert.equal(listed?.with['matrix-platforms'], '["15_arm64", "13_x86_64"]');
  const chunk = await runPrJob('build-chunk', { list: { result: 'success', outputs: { ports: '[]', chunks: '[0,1,2]', 'chunk-count': '3', count: '400' } } }, { platform: '13_x86_64', chunk: '2' });
  assert.equal(chunk.job.status, 'success');
  const fetched = chunk.seen.find((s) => s.name === 'builder: fetch the port list');
  const build = chunk.seen.find((s) => s.with.step === 'build-ports');
  assert.deepEqual([fetched?.with.name, build?.with['ports-file'], build?.with.chunk, build?.with.chunks, build?.with.platform, build?.with['build-id']], [
    'pr-port-list',
    `${fetched?.with.path ?? ''}/portlist.json`,
    '2',
    '3',
    '13_x86_64',
    'pr-9100200301-1-c0',
  ]);
  for (const step of chunk.seen) {
    const values = [...Object.values(step.with), ...Object.values(step.env)];
    assert.ok(!values.some((v) => v.includes(DEPLOY_KEY) || v.includes(chunk.mirror)), `${step.name}: ${JSON.stringify(step)}`);
  }
});
