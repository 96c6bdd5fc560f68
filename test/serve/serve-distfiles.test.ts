import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { execa } from 'execa';
import { VM_DISTFILES_DIR } from '../../controller/caches/distfile-collection-commands.ts';
import { buildLabel } from '../../controller/model/build-id.ts';
import type { ExecResult } from '../../controller/runners/backends/vm-backend.ts';
import { waitFor } from '../runners/runner-farm.ts';
import { PLATFORM, startServeHarness, type ServeHarness } from './serve-harness.ts';

const SHA = 'a'.repeat(40);
const CURL = 'curl 8.17.0 source, as released';
/** The checksums a trusted source (the watcher, before any build code ran) gave for curl at SHA; jq's are not known. */
const curlChecksums = { port: 'curl', distSubdir: 'curl', files: [{ name: 'curl-8.17.0.tar.xz', size: CURL.length, sha256: createHash('sha256').update(CURL).digest('hex') }] };

function tree(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && !d.name.startsWith('.'))
    .map((d) => relative(root, join(d.parentPath, d.name)))
    .sort();
}

/**
 * Runs a job on its VM as GitHub would report it: queued → the VM's runner takes it → completed.
 * The job is its build's own: a PR build's run is the one its id names, a master build's the one
 * the controller dispatched and recorded (the double's run and job).
 */
async function runJob(h: ServeHarness, buildId: string, conclusion: 'success' | 'failure', ids: { readonly runId: number; readonly jobId: number }): Promise<void> {
  const labels = ['self-hosted', PLATFORM.name, buildLabel(buildId)];
  const base = { jobId: ids.jobId, runId: ids.runId, runAttempt: 1, labels, runnerId: null, conclusion: null };
  h.controller.runners.handleWorkflowJob({ ...base, action: 'queued', runnerName: null });
  await waitFor(() => h.controller.runners.leases().some((l) => l.buildId === buildId && l.phase === 'starting-runner'), `runner of ${buildId} started`);
  const vmId = h.controller.runners.leases().find((l) => l.buildId === buildId)?.vmId ?? '';
  h.controller.runners.handleWorkflowJob({ ...base, action: 'in_progress', runnerName: vmId });
  h.controller.runners.handleWorkflowJob({ ...base, action: 'completed', runnerName: vmId, conclusion });
  await h.controller.runners.whenSettled(buildId);
}

test('serve collects a build\'s new distfiles before its VM goes: a successful master builder\'s own checksummed ones to the mirror, a PR build\'s to its quarantine only', async () => {
  let stateDir = '';
  const vmDirs = new Map<string, string>();
  /** Each VM's distfiles folder is a real folder here; the collection's shell commands really run (find, curl to the cache server). */
  const onExec = (vmId: string, argv: readonly string[]): Promise<ExecResult> | undefined => {
    const script = argv.at(-1) ?? '';
    if (!script.includes(VM_DISTFILES_DIR)) return undefined;
    let dir = vmDirs.get(vmId);
    if (dir === undefined) {
      dir = join(stateDir, 'vm-disks', vmId);
      mkdirSync(join(dir, 'jq'), { recursive: true });
      mkdirSync(join(dir, 'curl'), { recursive: true });
      writeFileSync(join(dir, '.portfarm-image-distfiles'), '');
      execFileSync('touch', ['-d', '2026-01-01T00:00:00Z', join(dir, '.portfarm-image-distfiles')]);
      writeFileSync(join(dir, 'jq', 'jq-1.8.1.tar.gz'), `jq source fetched by ${vmId}`);
      writeFileSync(join(dir, 'curl', 'curl-8.17.0.tar.xz'), CURL);
      vmDirs.set(vmId, dir);
    }
    const local = script.replaceAll(VM_DISTFILES_DIR, dir).replaceAll('/opt/local/var/macports/.portfarm-image-distfiles', join(dir, '.portfarm-image-distfiles'));
    return execa('/bin/sh', ['-eu', '-c', local], { reject: false }).then((r) => ({ exitCode: r.exitCode ?? 255, stdout: r.stdout, stderr: r.stderr }));
  };
  const h = await startServeHarness({
    prepare: (dir) => {
      stateDir = dir;
      mkdirSync(join(dir, 'mirror', 'distfiles'), { recursive: true });
    },
    backendOptions: { onExec },
    configure: (config) => ({
      ...config,
      caches: { ...config.caches, mirrorDir: join(stateDir, 'mirror'), quarantineDir: join(stateDir, 'quarantine'), server: { host: '127.0.0.1', port: 0 } },
    }),
    options: { paused: true, distfileChecksums: (port, revision) => (port === 'curl' && revision === SHA ? curlChecksums : undefined) },
  });
  try {
    const mirror = join(stateDir, 'mirror', 'distfiles');
    const quarantine = join(stateDir, 'quarantine');
    // A PR build (ports-pr.yml, id pr-<run>-<job>) that failed: its distfiles go to its own quarantine folder.
    await runJob(h, 'pr-77-1-0', 'failure', { runId: 77, jobId: 1 });
    assert.deepEqual(tree(quarantine), ['pr-77-1-0/curl/curl-8.17.0.tar.xz', 'pr-77-1-0/jq/jq-1.8.1.tar.gz']);
    assert.deepEqual(tree(mirror), [], 'a PR build never reaches the mirror');
    const expiry = JSON.parse(readFileSync(join(quarantine, 'pr-77-1-0', '.expires.json'), 'utf8')) as { expiresAt: string };
    assert.ok(Date.parse(expiry.expiresAt) - Date.now() > 13 * 86_400_000, 'kept caches.quarantineDays');

    // A master builder in the queue: failed → nothing kept; succeeded → the mirror gets what it lacks of its own port's checksummed distfiles.
    const watcher = h.controller.reorder.enqueueWatcher({ platform: PLATFORM.name, portsRevision: SHA, changedPorts: ['jq'], force: false, prNumber: null, now: new Date() });
    const { added } = h.controller.reorder.acceptPortList({ buildId: watcher.buildId, platform: PLATFORM.name, portsRevision: SHA, ports: ['jq', 'curl'], excluded: [] }, new Date());
    const [failing = '', succeeding = ''] = added;
    assert.equal(h.controller.reorder.describeBuild(succeeding)?.port, 'curl');
    // Dispatched for real (to the double), so each build's run is the one the controller recorded.
    // One run per platform at a time: a run that is not one of the two builders (the watcher) is
    // finished at once, as its workflow_run would; the builders run in the order they are dispatched.
    const nextBuilder = async (): Promise<{ buildId: string; runId: number; jobId: number }> => {
      for (let round = 0; round < 10; round += 1) {
        const [buildId] = (await h.controller.reorder.pump(new Date(), AbortSignal.timeout(10_000))).dispatched;
        if (buildId === undefined) continue;
        if (!added.includes(buildId)) {
          h.controller.reorder.runFinished(buildId, 'success', new Date());
          continue;
        }
        const runId = h.controller.reorder.describeBuild(buildId)?.runId ?? null;
        assert.ok(runId !== null, `${buildId} dispatched`);
        // The double's ports.yml has no job model here: the job's events come from runJob alone.
        return { buildId, runId, jobId: runId * 10 };
      }
      return assert.fail('no builder dispatched');
    };
    for (let n = 0; n < 2; n += 1) {
      const next = await nextBuilder();
      const result = next.buildId === failing ? 'failure' : 'success';
      await runJob(h, next.buildId, result, next);
      // Its run is over (the workflow_run the double would send): the platform's one in-flight place is free for the next.
      h.controller.reorder.runFinished(next.buildId, result, new Date());
      if (next.buildId === failing && n === 0) assert.deepEqual(tree(mirror), [], 'the failed build kept nothing');
    }
    assert.deepEqual(tree(mirror), ['curl/curl-8.17.0.tar.xz'], "jq's folder is not curl's to fill");
    assert.equal(readFileSync(join(mirror, 'curl', 'curl-8.17.0.tar.xz'), 'utf8'), CURL);
    assert.deepEqual(tree(quarantine), ['pr-77-1-0/curl/curl-8.17.0.tar.xz', 'pr-77-1-0/jq/jq-1.8.1.tar.gz'], 'the master build wrote nothing to quarantine');
    assert.deepEqual(
      h.logs.filter((l) => l.msg === 'event rejected: mirror-foreign-subdir').map((l) => [l['buildId'], l['file']]),
      [[succeeding, 'jq/jq-1.8.1.tar.gz']],
    );
    assert.deepEqual(
      h.logs.filter((l) => l.msg === 'distfiles collected').map((l) => [String(l['buildId']), l['destination'], l['files']]).sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
      [['pr-77-1-0', 'quarantine', 2], [failing, 'none', 0], [succeeding, 'mirror', 1]].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    // Builds read the mirror over HTTP, read-only.
    const url = h.controller.cacheServer?.url ?? '';
    assert.equal((await fetch(`${url}distfiles/curl/curl-8.17.0.tar.xz`)).status, 200);
    assert.equal((await fetch(`${url}distfiles/curl/curl-8.17.0.tar.xz`, { method: 'PUT', body: 'x' })).status, 405);
  } finally {
    await h.close();
  }
});
