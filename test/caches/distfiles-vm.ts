import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { VM_DISTFILES_DIR } from '../../controller/caches/distfile-collection-commands.ts';
import { RecordingVmBackend } from '../images/recording-vm-backend.ts';

/**
 * A build VM whose distfiles folder is `<root>/vms/<name>/distfiles` on this machine, holding
 * `files` (path → content) newer than the image's marker; its shell commands really run (real
 * find, real curl).
 */
export function distfilesVm(root: string, name: string, files: Record<string, string>): RecordingVmBackend {
  const distfiles = join(root, 'vms', name, 'distfiles');
  mkdirSync(distfiles, { recursive: true });
  writeFileSync(join(distfiles, '.portfarm-image-distfiles'), '');
  execFileSync('touch', ['-d', '2026-01-01T00:00:00Z', join(distfiles, '.portfarm-image-distfiles')]);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(distfiles, path, '..'), { recursive: true });
    writeFileSync(join(distfiles, path), content);
  }
  const backend = new RecordingVmBackend(async (_vm, argv) => {
    // Async: curl talks to the cache server in the test's own process.
    const script = (argv.at(-1) ?? '').replaceAll(VM_DISTFILES_DIR, distfiles);
    const result = await execa('/bin/sh', ['-eu', '-c', script], { reject: false });
    return { exitCode: result.exitCode ?? 255, stdout: result.stdout, stderr: result.stderr };
  });
  backend.vms.set(name, { host: 'mac-mini-1', image: '15_arm64-base@v1', state: 'running' });
  return backend;
}
