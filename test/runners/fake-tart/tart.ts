#!/usr/bin/env node
/**
 * A stand-in for cirruslabs/tart that honours its CLI contract as far as portfarm uses it:
 * `clone`, `run --no-graphics` (foreground until stopped), `ip [--wait N]`, `exec [-i]`, `stop`,
 * `delete`, `list --format json`, with tart's output shapes and exit codes (2: VM missing, not
 * running or already running; 1: other failures, `ip` prints its error on stdout; 64: usage).
 * VMs live as JSON files under $TART_HOME/vms; FAKE_TART_BOOT_MS delays the IP after `run`.
 * The "guest" runs `exec` commands on this machine.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface VmFile {
  running: boolean;
  pid: number | null;
  bootedAt: number | null;
  ip: number;
  accessed: string;
}

const home = process.env['TART_HOME'] ?? '';
if (home === '') fail(1, 'TART_HOME must be set for the fake tart');
const vms = join(home, 'vms');
mkdirSync(vms, { recursive: true });
const bootMs = Number(process.env['FAKE_TART_BOOT_MS'] ?? '0');

const [command, ...args] = process.argv.slice(2);
switch (command) {
  case 'clone':
    clone(args);
    break;
  case 'run':
    run(args);
    break;
  case 'ip':
    await ip(args);
    break;
  case 'exec':
    exec(args);
    break;
  case 'stop':
    await stop(args);
    break;
  case 'delete':
    remove(args);
    break;
  case 'list':
    list(args);
    break;
  default:
    fail(64, `Error: Unknown subcommand '${command ?? ''}'.\nUsage: tart <subcommand>`);
}

function clone(rest: string[]): void {
  const [source, target = ''] = positional(rest, 2);
  read(source);
  if (existsSync(file(target))) fail(1, `VM "${target}" already exists`);
  write(target, { running: false, pid: null, bootedAt: null, ip: Math.floor(Math.random() * 250) + 2, accessed: new Date().toISOString() });
}

function run(rest: string[]): void {
  const [name] = positional(rest.filter((a) => a !== '--no-graphics'), 1);
  const vm = read(name);
  if (vm.running && vm.pid !== null && alive(vm.pid)) fail(2, `VM "${name}" is already running`);
  write(name, { ...vm, running: true, pid: process.pid, bootedAt: Date.now() + bootMs });
  const keepAlive = setInterval(() => {
    if (!existsSync(file(name))) process.exit(1);
  }, 200);
  const shutdown = (): void => {
    clearInterval(keepAlive);
    if (existsSync(file(name))) write(name, { ...read(name), running: false, pid: null, bootedAt: null });
    process.exit(0);
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

async function ip(rest: string[]): Promise<void> {
  let wait = 0;
  const waitAt = rest.indexOf('--wait');
  if (waitAt >= 0) {
    wait = Number(rest[waitAt + 1]);
    rest.splice(waitAt, 2);
  }
  const [name] = positional(rest, 1);
  if (!existsSync(file(name))) {
    process.stdout.write(`the specified VM "${name}" does not exist\n`);
    process.exit(1);
  }
  const until = Date.now() + wait * 1000;
  for (;;) {
    const vm = read(name);
    if (booted(vm)) {
      process.stdout.write(`192.168.64.${vm.ip}\n`);
      process.exit(0);
    }
    if (Date.now() >= until) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  process.stdout.write('no IP address found, is your VM running?\n');
  process.exit(1);
}

function exec(rest: string[]): void {
  const interactive = rest[0] === '-i';
  const [name, ...argv] = interactive ? rest.slice(1) : rest;
  if (name === undefined || argv.length === 0) fail(64, 'Error: Missing expected argument \'<name>\'\nUsage: tart exec [-i] [-t] <name> <command> ...');
  const vm = read(name);
  if (!vm.running) fail(2, name);
  if (!booted(vm)) fail(1, 'Failed to connect to the VM using its control socket: unavailable, is the Tart Guest Agent running?');
  const [program, ...programArgs] = argv;
  const child = spawn(program ?? 'true', programArgs, { stdio: [interactive ? 'inherit' : 'ignore', 'inherit', 'inherit'] });
  // The guest process dies with the VM.
  const watch = setInterval(() => {
    if (!existsSync(file(name)) || !read(name).running) {
      child.kill('SIGKILL');
      fail(1, `VM "${name}" stopped while the command ran`);
    }
  }, 100);
  child.on('error', () => {
    clearInterval(watch);
    fail(1, `exec failed: ${program ?? ''} not found in the guest`);
  });
  child.on('exit', (code) => {
    clearInterval(watch);
    process.exit(code ?? 1);
  });
  process.on('SIGTERM', () => {
    child.kill('SIGTERM');
  });
}

async function stop(rest: string[]): Promise<void> {
  const [name] = positional(rest, 1);
  const vm = read(name);
  if (!vm.running || vm.pid === null || !alive(vm.pid)) {
    if (vm.running) write(name, { ...vm, running: false, pid: null, bootedAt: null });
    fail(2, `VM "${name}" is not running`);
  }
  process.kill(vm.pid, 'SIGTERM');
  while (read(name).running) await new Promise((resolve) => setTimeout(resolve, 10));
}

function remove(rest: string[]): void {
  for (const name of positional(rest, 1)) {
    const vm = read(name);
    if (vm.running && vm.pid !== null && alive(vm.pid)) fail(1, `failed to delete VM "${name}": it is running, stop it first`);
    rmSync(file(name), { force: true });
  }
}

function list(rest: string[]): void {
  const json = rest.includes('--format') && rest[rest.indexOf('--format') + 1] === 'json';
  const names = readdirSync(vms).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -'.json'.length)).sort();
  const infos = names.map((name) => {
    const vm = read(name);
    const running = vm.running && vm.pid !== null && alive(vm.pid);
    return { Source: 'local', Name: name, Disk: 50, Size: 20, SizeOnDisk: 1, Accessed: vm.accessed, Running: running, State: running ? 'running' : 'stopped' };
  });
  if (json) process.stdout.write(`${JSON.stringify(infos, null, 2)}\n`);
  else process.stdout.write(['Source Name Disk Size SizeOnDisk Accessed State', ...infos.map((i) => `local  ${i.Name} 50 20 1 ${i.Accessed} ${i.State}`)].join('\n') + '\n');
}

function positional(rest: string[], count: number): [string, ...string[]] {
  const words = rest.filter((a) => !a.startsWith('-'));
  if (words.length < count) fail(64, `Error: Missing expected argument\nUsage: tart ${command ?? ''} ...`);
  return words as [string, ...string[]];
}

function file(name: string): string {
  return join(vms, `${name}.json`);
}

function read(name: string): VmFile {
  try {
    return JSON.parse(readFileSync(file(name), 'utf8')) as VmFile;
  } catch {
    return fail(2, `the specified VM "${name}" does not exist`);
  }
}

function write(name: string, vm: VmFile): void {
  const temp = `${file(name)}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify(vm));
  renameSync(temp, file(name));
}

function booted(vm: VmFile): boolean {
  return vm.running && vm.pid !== null && alive(vm.pid) && vm.bootedAt !== null && Date.now() >= vm.bootedAt;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function fail(code: number, message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}
