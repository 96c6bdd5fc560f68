import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { startGitHubDouble, type GitHubDouble } from '../github-double/github-double.ts';
import type { KillNineChildArgs } from './kill-nine-child.ts';
import { killNineManager, type KillNineFarm } from './kill-nine-manager.ts';

const child = join(dirname(fileURLToPath(import.meta.url)), 'kill-nine-child.ts');
const host = { name: 'mini-1', address: '127.0.0.1' };
let double: GitHubDouble;
let tartHome: string;

before(async () => {
  double = await startGitHubDouble({});
  tartHome = mkdtempSync(join(tmpdir(), 'portfarm-kill9-'));
  mkdirSync(join(tartHome, 'vms'));
  writeFileSync(join(tartHome, 'vms', 'macos-15-base.json'), JSON.stringify({ running: false, pid: null, bootedAt: null, ip: 9, accessed: '2026-01-01T00:00:00Z' }));
});

after(async () => {
  await double.close();
  rmSync(tartHome, { recursive: true, force: true });
});

/**
 * Starts the controller child and SIGKILLs it (only it, as the OOM killer or `kill -9 <pid>` would)
 * as soon as it logs `killAt` for the build. With `awaitOrphans`, waits until the tart commands it
 * left behind have ended: a `tart clone` goes on after its parent dies and writes its VM late.
 */
async function killControllerAt(buildId: string, killAt: string, awaitOrphans = false): Promise<void> {
  const args: KillNineChildArgs = { ...farm(), buildId };
  // Its own process group, so that the orphans it leaves can be told apart from this test's processes.
  const controller = spawn(process.execPath, [child, JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => controller.on('exit', (_code, signal) => { resolve(signal); }));
  const seen: string[] = [];
  for await (const line of createInterface({ input: controller.stdout })) {
    seen.push(line);
    const entry = JSON.parse(line) as { msg: string; buildId?: string };
    if (entry.msg === killAt && entry.buildId === buildId) {
      controller.kill('SIGKILL');
      break;
    }
  }
  assert.equal(await exited, 'SIGKILL', `the controller ended before logging "${killAt}"; it logged:\n${seen.join('\n')}`);
  if (awaitOrphans && controller.pid !== undefined) await processGroupEnded(controller.pid);
}

async function processGroupEnded(groupId: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      process.kill(-groupId, 0);
    } catch {
      return;
    }
    assert.ok(Date.now() < deadline, `the killed controller's process group ${groupId} still runs after 20 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function farm(): KillNineFarm {
  return {
    tartHome,
    apiUrl: double.url,
    appId: double.appId,
    privateKey: double.appPrivateKey ?? '',
    installationId: double.installationId,
    repo: `${double.owner}/${double.repo}`,
  };
}

function restartedManager(): ReturnType<typeof killNineManager> {
  return killNineManager(farm(), { logger: pino({ level: 'silent' }) });
}

test('kill -9 after the runner registered: the next start destroys the running VM and deletes the registration', async () => {
  await killControllerAt('k1', 'runner registered');
  assert.equal(double.runners().length, 1, 'the registration outlived the controller');
  const { manager, backend } = restartedManager();
  const plan = await manager.start();
  await manager.stop();
  assert.deepEqual(plan.destroyVms.map((v) => [v.vmId.replace(/-[a-z0-9]{4}$/, '-XXXX'), v.reason]), [['portfarm-k1-1-XXXX', 'idle-vm-without-lease']]);
  assert.deepEqual(plan.deleteRunners.map((r) => r.reason), ['idle-vm-without-lease']);
  assert.deepEqual(await backend.list(host, AbortSignal.timeout(20_000)), []);
  assert.deepEqual(double.runners(), []);
  double.assertNoViolations();
});

test('kill -9 while cloning: the next start removes the leftover clone', async () => {
  // The restart comes after the orphaned clone ended; one that ends later is the periodic reconcile's.
  await killControllerAt('k2', 'cloning VM', true);
  const { manager, backend } = restartedManager();
  const plan = await manager.start();
  await manager.stop();
  // The kill may land before or after tart wrote the clone; either way nothing is left.
  assert.ok(plan.destroyVms.every((v) => v.reason === 'vm-without-registration' && v.vmId.startsWith('portfarm-k2-1-')), JSON.stringify(plan));
  assert.deepEqual(await backend.list(host, AbortSignal.timeout(20_000)), []);
  assert.deepEqual(double.runners(), []);
});
