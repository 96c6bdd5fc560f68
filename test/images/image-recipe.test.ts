import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createImageRecipe } from '../../controller/images/create-image-recipe.ts';
import { ImageStepError } from '../../controller/images/image-step-error.ts';
import { stepArgv } from '../../controller/images/recipe-step.ts';
import { runImageRecipe, type RecipeProgress } from '../../controller/images/run-image-recipe.ts';
import { UserError } from '../../controller/errors/user-error.ts';
import { RecordingVmBackend } from './recording-vm-backend.ts';
import { recipeSettings, RUNNER_SHA } from './recipe-fixture.ts';
import { simulatedMac } from './simulated-mac.ts';

const VM = 'imageprep-15_arm64-v1';
const signal = new AbortController().signal;

async function booted(handler: ConstructorParameters<typeof RecordingVmBackend>[0]): Promise<RecordingVmBackend> {
  const backend = new RecordingVmBackend(handler);
  await backend.clone({ vmId: VM, image: 'macos-15-vanilla', host: { name: 'mac-mini-1', address: '10.0.0.21' } }, signal);
  await backend.start(VM, signal);
  backend.calls.length = 0;
  return backend;
}

/** The calls a step makes: its check, and when that fails its apply and the check again. */
function execOf(script: string): string {
  return `exec ${VM} ${stepArgv(script).join(' ')}`;
}

test('the recipe follows seed 000: Xcode tools, tools prefix with git and mpbb, runner, /opt/local, caches', () => {
  const steps = createImageRecipe(recipeSettings());
  assert.deepEqual(
    steps.map((s) => s.id),
    ['xcode-tools', 'tools-macports', 'tools-git', 'tools-mpbb', 'runner-user', 'runner-sudoers', 'actions-runner', 'macports-prefix', 'cache-config', 'cleanup'],
  );
  assert.deepEqual(stepArgv('true'), ['sudo', '-n', '/bin/sh', '-eu', '-c', 'true']);
});

test('the runner step downloads the pinned release, verifies it, unpacks it and never registers it', () => {
  const runner = createImageRecipe(recipeSettings()).find((s) => s.id === 'actions-runner');
  assert.equal(
    runner?.check,
    'test -x /Users/runner/actions-runner/run.sh && test "$(cat /Users/runner/actions-runner/.portfarm-runner-version 2>/dev/null)" = 2.330.0' +
      ' && test ! -e /Users/runner/actions-runner/.runner && test ! -e /Users/runner/actions-runner/.credentials',
  );
  assert.equal(
    runner.apply,
    [
      'rm -rf /Users/runner/actions-runner /var/tmp/actions-runner.tar.gz',
      'curl -fsSL --retry 3 -o /var/tmp/actions-runner.tar.gz https://github.com/actions/runner/releases/download/v2.330.0/actions-runner-osx-arm64-2.330.0.tar.gz',
      `echo '${RUNNER_SHA}  /var/tmp/actions-runner.tar.gz' | shasum -a 256 -c -`,
      'mkdir -p /Users/runner/actions-runner',
      'tar -xzf /var/tmp/actions-runner.tar.gz -C /Users/runner/actions-runner',
      "printf '%s\\n' 2.330.0 > /Users/runner/actions-runner/.portfarm-runner-version",
      'chown -R runner:staff /Users/runner/actions-runner',
      'rm -f /var/tmp/actions-runner.tar.gz',
    ].join('\n'),
  );
  assert.doesNotMatch(runner.apply, /config\.sh|--token|jitconfig/);
});

test('x86_64 platforms get the osx-x64 runner; i386 is refused with the reason', () => {
  const x64 = createImageRecipe(recipeSettings({ platform: '10.15_x86_64' })).find((s) => s.id === 'actions-runner');
  assert.match(x64?.apply ?? '', /actions-runner-osx-x64-2\.330\.0\.tar\.gz/);
  assert.throws(() => createImageRecipe(recipeSettings({ platform: '10.6_i386' })), (e: unknown) => {
    assert.ok(e instanceof UserError);
    assert.match(e.message, /platform 10\.6_i386 has no GitHub Actions runner build/);
    return true;
  });
});

test('sudo rules are validated with visudo before they replace the live file', () => {
  const sudoers = createImageRecipe(recipeSettings()).find((s) => s.id === 'runner-sudoers');
  const lines = sudoers?.apply?.split('\n') ?? [];
  assert.match(lines[0] ?? '', /'runner ALL=\(root\) NOPASSWD:SETENV: \/opt\/bblocal\/bin\/mpbb, \/opt\/bblocal\/bin\/port, \/opt\/local\/bin\/port' > \/etc\/sudoers\.d\/portfarm-runner\.tmp$/);
  assert.deepEqual(lines.slice(1), [
    'visudo -cf /etc/sudoers.d/portfarm-runner.tmp',
    'chmod 0440 /etc/sudoers.d/portfarm-runner.tmp',
    'mv -f /etc/sudoers.d/portfarm-runner.tmp /etc/sudoers.d/portfarm-runner',
  ]);
});

test('on a fresh VM every step is checked, applied, checked again, in order; a rerun only checks', async () => {
  const steps = createImageRecipe(recipeSettings());
  const mac = simulatedMac(steps, { done: ['xcode-tools'] });
  const backend = await booted(mac.handler);
  const outcomes = await runImageRecipe({ backend, vmId: VM, steps, signal });

  const expected = steps.flatMap((s) => (s.id === 'xcode-tools' || s.apply === null ? [execOf(s.check)] : [execOf(s.check), execOf(s.apply), execOf(s.check)]));
  assert.deepEqual(backend.calls, expected);
  assert.deepEqual([...outcomes], steps.map((s) => [s.id, s.id === 'xcode-tools' ? 'skipped' : 'applied']));

  backend.calls.length = 0;
  const again = await runImageRecipe({ backend, vmId: VM, steps, signal });
  assert.deepEqual(backend.calls, steps.map((s) => execOf(s.check)));
  assert.deepEqual([...again.values()], steps.map(() => 'skipped'));
});

test('a failed download stops the run (retryable); the rerun skips the finished steps and resumes there', async () => {
  const steps = createImageRecipe(recipeSettings());
  const mac = simulatedMac(steps, { done: ['xcode-tools'], failures: new Map([['actions-runner', 1]]) });
  const backend = await booted(mac.handler);
  const progress: string[] = [];
  await assert.rejects(
    runImageRecipe({ backend, vmId: VM, steps, signal, onProgress: (p: RecipeProgress) => void progress.push(`${p.index + 1}/${p.total} ${p.step.id} ${p.phase}`) }),
    (e: unknown) => {
      assert.ok(e instanceof ImageStepError);
      assert.equal(e.stepId, 'actions-runner');
      assert.equal(e.retryable, true);
      assert.match(e.message, /failed with exit 1: curl: \(6\) Could not resolve host: github\.com; fix the cause and rerun/);
      return true;
    },
  );
  assert.deepEqual(progress.slice(-3), ['6/10 runner-sudoers applied', '7/10 actions-runner checking', '7/10 actions-runner applying']);
  assert.deepEqual([...mac.done], ['xcode-tools', 'tools-macports', 'tools-git', 'tools-mpbb', 'runner-user', 'runner-sudoers']);

  backend.calls.length = 0;
  const outcomes = await runImageRecipe({ backend, vmId: VM, steps, signal });
  const runner = steps[6];
  assert.ok(runner?.apply != null);
  assert.deepEqual(backend.calls.slice(0, 9), [...steps.slice(0, 6).map((s) => execOf(s.check)), execOf(runner.check), execOf(runner.apply), execOf(runner.check)]);
  assert.deepEqual([...outcomes.entries()].filter(([, o]) => o === 'applied').map(([id]) => id), ['actions-runner', 'macports-prefix', 'cache-config', 'cleanup']);
});

test('a manual step that is not done stops the run with the advice and applies nothing', async () => {
  const steps = createImageRecipe(recipeSettings());
  const backend = await booted(simulatedMac(steps).handler);
  await assert.rejects(runImageRecipe({ backend, vmId: VM, steps, signal }), (e: unknown) => {
    assert.ok(e instanceof ImageStepError);
    assert.equal(e.retryable, false);
    assert.match(e.message, /step xcode-tools .* is manual: install the Xcode Command Line Tools/);
    return true;
  });
  assert.deepEqual(backend.calls, [execOf(steps[0]?.check ?? '')]);
});

test('an apply that exits 0 but leaves its check failing is a permanent error', async () => {
  const steps = createImageRecipe(recipeSettings());
  const lying = simulatedMac(steps, { done: ['xcode-tools'] });
  const tools = steps[1];
  const backend = await booted((vmId, argv) => {
    if (argv.at(-1) === tools?.apply) return { exitCode: 0, stdout: '', stderr: '' };
    return lying.handler(vmId, argv);
  });
  await assert.rejects(runImageRecipe({ backend, vmId: VM, steps, signal }), (e: unknown) => {
    assert.ok(e instanceof ImageStepError);
    assert.equal(e.stepId, 'tools-macports');
    assert.equal(e.retryable, false);
    assert.match(e.message, /ran without error but its check still fails/);
    return true;
  });
});
