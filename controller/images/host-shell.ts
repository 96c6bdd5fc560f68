import { execa } from 'execa';
import type { ExecResult, HostRef } from '../runners/backends/vm-backend.ts';

/** Runs a command on a VM host (where tart, virsh and qemu-img live), never inside a VM. */
export interface HostShell {
  run(host: HostRef, argv: readonly string[], signal: AbortSignal): Promise<ExecResult>;
}

/** Over SSH (BatchMode: a key must be set up; a password prompt would hang the controller). */
export function createSshHostShell(options: { readonly user?: string } = {}): HostShell {
  return {
    async run(host, argv, signal) {
      const target = options.user === undefined ? host.address : `${options.user}@${host.address}`;
      const result = await execa('ssh', ['-o', 'BatchMode=yes', '-o', 'ConnectTimeout=10', target, '--', ...argv.map(sshWord)], {
        cancelSignal: signal,
        reject: false,
      });
      return { exitCode: result.exitCode ?? 255, stdout: result.stdout, stderr: result.stderr };
    },
  };
}

/** On this machine: for hosts that are the controller's own machine, and for tests. */
export function createLocalHostShell(env: Readonly<Record<string, string>> = {}): HostShell {
  return {
    async run(_host, argv, signal) {
      const [file, ...args] = argv;
      if (file === undefined) throw new Error('empty command');
      const result = await execa(file, args, { cancelSignal: signal, reject: false, env });
      return { exitCode: result.exitCode ?? 255, stdout: result.stdout, stderr: result.stderr };
    },
  };
}

/** ssh joins its arguments with spaces for the remote shell: quote each word once. */
function sshWord(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}
