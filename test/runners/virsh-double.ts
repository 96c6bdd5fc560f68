import { readFileSync } from 'node:fs';
import { execa } from 'execa';
import { runWithExeca, type CommandRunner } from '../../controller/runners/backends/libvirt-vm-backend.ts';
import type { ExecResult } from '../../controller/runners/backends/vm-backend.ts';

interface Domain {
  running: boolean;
  address: string;
}

/**
 * The libvirt backend's outside world for tests: real `qemu-img`, an in-memory `virsh` that
 * answers like virsh 9 (messages, exit 1 on errors, `domifaddr` table) and an `ssh` whose
 * "guest" is a local `sh -c`, killed when its domain is destroyed (ssh then exits 255).
 */
export function createVirshDouble(): { run: CommandRunner; calls: string[] } {
  const domains = new Map<string, Domain>();
  /** Kill switches of the guest commands running per VM address. */
  const sessions = new Map<string, Set<() => void>>();
  const calls: string[] = [];
  let nextIp = 10;
  const answer = (exitCode: number, stdout: string, stderr = ''): ExecResult => ({ exitCode, stdout, stderr });
  const noDomain = (name: string): ExecResult => answer(1, '', `error: failed to get domain '${name}'\n`);

  const virsh = (args: readonly string[]): ExecResult => {
    const [, , command, name = ''] = args; // -c <uri> <command> <name>
    const domain = domains.get(name);
    switch (command) {
      case 'define': {
        const xml = readFileSync(name, 'utf8');
        const domainName = /<name>([^<]+)<\/name>/.exec(xml)?.[1] ?? '';
        domains.set(domainName, { running: false, address: `192.168.122.${nextIp++}` });
        return answer(0, `Domain '${domainName}' defined from ${name}\n\n`);
      }
      case 'start':
        if (domain === undefined) return noDomain(name);
        if (domain.running) return answer(1, '', 'error: Failed to start domain\nerror: Requested operation is not valid: domain is already active\n');
        domain.running = true;
        return answer(0, `Domain '${name}' started\n\n`);
      case 'domifaddr':
        if (domain === undefined) return noDomain(name);
        if (!domain.running) return answer(1, '', 'error: Failed to query for interfaces addresses\nerror: Requested operation is not valid: domain is not running\n');
        return answer(0, ` Name       MAC address          Protocol     Address\n-------------------------------------------------------------------------------\n lo         00:00:00:00:00:00    ipv4         127.0.0.1/8\n en0        52:54:00:aa:bb:cc    ipv4         ${domain.address}/24\n\n`);
      case 'destroy':
        if (domain === undefined) return noDomain(name);
        if (!domain.running) return answer(1, '', `error: Failed to destroy domain '${name}'\nerror: Requested operation is not valid: domain is not running\n`);
        domain.running = false;
        for (const kill of sessions.get(domain.address) ?? []) kill();
        return answer(0, `Domain '${name}' destroyed\n\n`);
      case 'undefine':
        if (domain === undefined) return noDomain(name);
        domains.delete(name);
        return answer(0, `Domain '${name}' has been undefined\n\n`);
      case 'list': {
        const runningOnly = args.includes('--state-running');
        const listed = [...domains.entries()].filter(([, d]) => !runningOnly || d.running).map(([n]) => n);
        return answer(0, `${listed.join('\n')}\n\n`);
      }
      default:
        return answer(1, '', `error: unknown command: '${command ?? ''}'\n`);
    }
  };

  const ssh = async (args: readonly string[], options: { signal: AbortSignal; input?: string }): Promise<ExecResult> => {
    const target = args[args.length - 2] ?? '';
    const remote = args[args.length - 1] ?? '';
    const address = target.split('@')[1] ?? '';
    const domain = [...domains.values()].find((d) => d.address === address && d.running);
    if (domain === undefined) return answer(255, '', `ssh: connect to host ${address} port 22: No route to host\r\n`);
    // Its own process group: a destroyed domain takes every process of the guest with it, not
    // only the shell (a child such as `sleep` would otherwise hold the pipes open).
    const session = execa('sh', ['-c', remote], {
      detached: true,
      reject: false,
      cancelSignal: options.signal,
      stripFinalNewline: false,
      ...(options.input === undefined ? { stdin: 'ignore' as const } : { input: options.input }),
    });
    const kill = (): void => {
      try {
        if (session.pid !== undefined) process.kill(-session.pid, 'SIGKILL');
      } catch {
        session.kill('SIGKILL');
      }
    };
    const open = sessions.get(address) ?? new Set<() => void>();
    open.add(kill);
    sessions.set(address, open);
    const result = await session;
    open.delete(kill);
    // Killed with its VM: the connection drops and ssh exits 255.
    return answer(result.signal === undefined ? (result.exitCode ?? 255) : 255, result.stdout, result.stderr);
  };

  const run: CommandRunner = (file, args, options) => {
    calls.push([file, ...args].join(' '));
    if (file === 'virsh') return Promise.resolve(virsh(args));
    if (file === 'ssh') return ssh(args, options.input === undefined ? { signal: options.signal } : { signal: options.signal, input: options.input });
    return runWithExeca(file, args, options);
  };
  return { run, calls };
}
